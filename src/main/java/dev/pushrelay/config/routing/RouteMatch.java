package dev.pushrelay.config.routing;

import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.Return;
import dev.pushrelay.config.ServerSettings;

import java.util.Map;

/**
 * Where a request goes: the chosen server and location, and the values of its nginx
 * variables after regex captures and {@code set} directives were applied.
 *
 * @param location null when no location matches (404)
 * @param variables values of {@code set} variables and named regex captures, by name without '$'
 * @param response non-null when a {@code return} ran (its text evaluated): answer with it
 *        instead of the location's handler. May come from the server level, before any
 *        location was chosen; then {@code location} is null.
 * @param positional the numbered groups of the last regex match ($0, $1...; null = did not
 *        participate), for values evaluated after routing (add_header, protocol.md §8.3)
 * @param uri the URI a {@code rewrite} left (protocol.md §8.9), null when no rewrite changed it
 * @param args the query a {@code rewrite} left, without '?'; null when {@code uri} is null
 * @param changesLeft how many more new location searches and internal redirects nginx allows
 *        this request (its uri_changes: 11 at first, 0 means a 500)
 */
public record RouteMatch(ServerSettings server, LocationSettings location, Map<String, String> variables,
                         Return response, String[] positional, String uri, String args, int changesLeft) {

    private static final String[] NONE = new String[0];

    public RouteMatch {
        variables = Map.copyOf(variables);
        positional = positional == null ? NONE : positional; // a fresh array per regex match, never changed
    }

    public RouteMatch(ServerSettings server, LocationSettings location, Map<String, String> variables,
                      Return response, String[] positional) {
        this(server, location, variables, response, positional, null, null, Router.MAX_URI_CHANGES + 1);
    }

    public RouteMatch(ServerSettings server, LocationSettings location, Map<String, String> variables, Return response) {
        this(server, location, variables, response, null);
    }

    public RouteMatch(ServerSettings server, LocationSettings location, Map<String, String> variables) {
        this(server, location, variables, null, null);
    }

    /** {@code $n} after routing: "" when absent, as nginx gives an empty value. */
    public String group(int n) {
        return n < positional.length && positional[n] != null ? positional[n] : "";
    }

    /** The evaluated $push_channel_id, or null when unset or empty (protocol.md §1). */
    public String channelId() {
        String id = variables.get("push_channel_id");
        return id == null || id.isEmpty() ? null : id;
    }
}
