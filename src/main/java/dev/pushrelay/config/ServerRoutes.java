package dev.pushrelay.config;

import java.util.List;

/**
 * What one server block gives routing: its server-level rewrite directives (nginx's
 * server-rewrite phase, run before a location is chosen), its location tree, and the
 * server-level settings used when no location matches. Built at load time.
 *
 * @param serverRewrite the server level's rewrite directives in file order
 * @param locations the server's locations in file order (nested ones inside them)
 * @param fallback null unless the server level itself serves (push_publisher/push_subscriber,
 *        root or return): then it serves requests no location took
 * @param all every location, nested ones included, in file order
 * @param serverLevel the merged server-level settings, whether or not it serves (for its
 *        access_log); null in {@link #EMPTY}
 */
public record ServerRoutes(List<RewriteStep> serverRewrite, List<LocationBlock> locations, LocationSettings fallback,
                           List<LocationSettings> all, LocationSettings serverLevel) {

    public static final ServerRoutes EMPTY = new ServerRoutes(List.of(), List.of(), null, List.of(), null);

    public ServerRoutes {
        serverRewrite = List.copyOf(serverRewrite);
        locations = List.copyOf(locations);
        all = List.copyOf(all);
    }

    @Override
    public String toString() {
        return all.size() + " locations";
    }
}
