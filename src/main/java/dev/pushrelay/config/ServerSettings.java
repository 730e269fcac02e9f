package dev.pushrelay.config;

import java.util.List;

/**
 * One server block.
 *
 * @param listens its listen addresses (default 127.0.0.1:8080)
 * @param serverNames server_name values as written ("" when absent)
 * @param where {@code file:line} of the block, for messages
 * @param routing its compiled locations and server-level rewrite directives, for routing
 */
public record ServerSettings(List<ListenAddress> listens, List<String> serverNames, String where, ServerRoutes routing) {
    public ServerSettings {
        listens = List.copyOf(listens);
        serverNames = List.copyOf(serverNames);
        routing = routing == null ? ServerRoutes.EMPTY : routing;
    }

    /** A server without locations (every request gets no location, i.e. 404). */
    public ServerSettings(List<ListenAddress> listens, List<String> serverNames, String where) {
        this(listens, serverNames, where, ServerRoutes.EMPTY);
    }

    /**
     * The server level's merged settings (its access_log applies to requests no location
     * took), or null for a server built without a configuration.
     */
    public LocationSettings serverLevel() {
        return routing.serverLevel();
    }

    /** Every location of this server, nested ones included, in file order. */
    public List<LocationSettings> locations() {
        return routing.all();
    }
}
