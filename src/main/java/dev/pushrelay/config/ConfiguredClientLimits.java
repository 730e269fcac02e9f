package dev.pushrelay.config;

/**
 * nginx's limits on a client's request as configured (protocol.md §9), after http → server →
 * location inheritance; null = not configured anywhere, so the server's defaults apply
 * (nginx's: 60 s, 60 s, 4 x 8k).
 *
 * @param headerTimeoutMs client_header_timeout (http, server)
 * @param bodyTimeoutMs client_body_timeout (http, server, location)
 * @param headerBufferCount large_client_header_buffers number (http, server)
 * @param headerBufferBytes large_client_header_buffers size (http, server)
 */
public record ConfiguredClientLimits(Long headerTimeoutMs, Long bodyTimeoutMs, Integer headerBufferCount,
                               Long headerBufferBytes) {

    public static final ConfiguredClientLimits UNSET = new ConfiguredClientLimits(null, null, null, null);
}
