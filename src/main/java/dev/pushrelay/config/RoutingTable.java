package dev.pushrelay.config;

import java.util.List;

/**
 * The compiled routing of one server: its server-level rewrite steps ({@code set},
 * {@code return}, run before a location is chosen, as nginx's server-rewrite phase), its
 * location tree, and the server-level settings used when no location matches. Built at
 * load time; {@link Router} only reads it. Opaque outside this package.
 */
public final class RoutingTable {

    static final RoutingTable EMPTY = new RoutingTable(List.of(), LocationMatcher.EMPTY, null, List.of());

    final List<RewriteStep> serverRewrite;
    final LocationMatcher locations;
    /** null unless the server level itself serves (push_publisher/push_subscriber, root or return) */
    final LocationSettings fallback;
    private final List<LocationSettings> all;
    /** the merged server-level settings, whether or not it serves (for its access_log); null in EMPTY */
    final LocationSettings serverLevel;

    RoutingTable(List<RewriteStep> serverRewrite, LocationMatcher locations, LocationSettings fallback,
                 List<LocationSettings> all) {
        this(serverRewrite, locations, fallback, all, null);
    }

    RoutingTable(List<RewriteStep> serverRewrite, LocationMatcher locations, LocationSettings fallback,
                 List<LocationSettings> all, LocationSettings serverLevel) {
        this.serverRewrite = List.copyOf(serverRewrite);
        this.locations = locations;
        this.fallback = fallback;
        this.all = List.copyOf(all);
        this.serverLevel = serverLevel;
    }

    List<LocationSettings> allLocations() {
        return all;
    }

    @Override
    public String toString() {
        return all.size() + " locations";
    }
}
