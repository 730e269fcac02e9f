package dev.pushrelay.config;

import java.util.Map;

/**
 * Where a request goes: the chosen server and location, and the values of its nginx
 * variables after regex captures and {@code set} directives were applied.
 *
 * @param location null when no location matches (404)
 * @param variables values of {@code set} variables, by name without '$'
 */
public record RouteMatch(ServerSettings server, LocationSettings location, Map<String, String> variables) {

    /** The evaluated $push_channel_id, or null when unset or empty (protocol.md §1). */
    public String channelId() {
        String id = variables.get("push_channel_id");
        return id == null || id.isEmpty() ? null : id;
    }
}
