package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.List;

/**
 * The directives of the streaming transports (protocol.md §14): their table entries and
 * their handlers, kept beside each other so the push-module tables stay as they were.
 */
final class StreamDirectives {

    private StreamDirectives() {
    }

    /** The table entries: name, contexts, argument counts (nchan's for nchan's names). */
    static List<DirectiveTable.Spec> specs() {
        return List.of(
                spec("nchan_eventsource_ping_interval", 1, 1),
                spec("nchan_websocket_ping_interval", 1, 1),
                spec("pushrelay_cursor_gap_header", 1, 1));
    }

    private static DirectiveTable.Spec spec(String name, int min, int max) {
        return new DirectiveTable.Spec(name, DirectiveTable.HSL, min, max, false, false, false);
    }

    /** Applies one of {@link #specs()}; anything else is a programming error. */
    static void apply(ConfNode n, LevelConf c) throws ConfException {
        switch (n.name()) {
            case "nchan_eventsource_ping_interval" -> {
                if (c.eventSourcePing != null) throw Directives.duplicate(n);
                c.eventSourcePing = seconds(n);
            }
            case "nchan_websocket_ping_interval" -> {
                if (c.webSocketPing != null) throw Directives.duplicate(n);
                c.webSocketPing = seconds(n);
            }
            case "pushrelay_cursor_gap_header" -> {
                if (c.gapHeader != null) throw Directives.duplicate(n);
                Boolean v = Values.flag(n.arg(0));
                if (v == null) {
                    throw n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name()
                            + "\" directive, it must be \"on\" or \"off\"");
                }
                c.gapHeader = v;
            }
            default -> throw new IllegalStateException("no handler for " + n.name());
        }
    }

    private static long seconds(ConfNode n) throws ConfException {
        long v = Values.seconds(n.arg(0));
        if (v < 0) throw n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name() + "\" directive");
        return v;
    }

    /** The merged settings of a location (innermost level that sets each one wins). */
    static StreamSettings merge(List<LevelConf> chain) {
        Long ping = null;
        Long wsPing = null;
        Boolean gap = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            LevelConf c = chain.get(i);
            if (ping == null) ping = c.eventSourcePing;
            if (wsPing == null) wsPing = c.webSocketPing;
            if (gap == null) gap = c.gapHeader;
        }
        return new StreamSettings(ping == null ? 0 : ping, wsPing == null ? 0 : wsPing, gap != null && gap);
    }
}
