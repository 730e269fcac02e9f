package dev.pushrelay.http;

import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;

/** Finds the strict request checks under an exchange's connection (protocol.md §9). */
final class WireChecks {

    private WireChecks() {
    }

    /** The connection's {@link StrictSourceConduit}, or null where the listener installed none. */
    static StrictSourceConduit of(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof AbstractServerConnection c
                && c.getOriginalSourceConduit() instanceof StrictSourceConduit s ? s : null;
    }
}
