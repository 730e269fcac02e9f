package dev.pushrelay.config.routing;

import dev.pushrelay.config.ServerRoutes;

/**
 * One server's routes as {@link Router} searches them: the loader's {@link ServerRoutes}
 * with its location tree indexed for nginx's search. Built once per configuration.
 */
final class RoutingTable {

    final ServerRoutes routes;
    final LocationMatcher locations;

    RoutingTable(ServerRoutes routes) {
        this.routes = routes;
        this.locations = routes.locations().isEmpty() ? LocationMatcher.EMPTY : new LocationMatcher(routes.locations());
    }
}
