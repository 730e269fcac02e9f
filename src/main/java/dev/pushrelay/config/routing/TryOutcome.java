package dev.pushrelay.config.routing;

/**
 * What {@code try_files} decided for a request (protocol.md §8.11).
 *
 * @param match the routing to serve now: the same location with the found file's URI
 *        ({@code redirected} false), or a new one after an internal redirect to the last
 *        argument, URI or named location ({@code redirected} true)
 * @param code above 0 when the answer is that code ({@code =CODE}, or 500 after too many redirects)
 */
public record TryOutcome(RouteMatch match, boolean redirected, int code) {
}
