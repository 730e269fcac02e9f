package dev.pushrelay.lean;

/**
 * What a lean connection keeps of the server options it was accepted under (a reload's new
 * options apply to connections accepted after it, as Undertow's do).
 *
 * @param maxHead    the largest head the lean parser takes: half the smallest of
 *                   large_client_header_buffers' line size and the head limit (protocol.md §9),
 *                   so no line of it comes near a limit
 * @param maxHeaders header lines the lean parser takes, half the configured maximum
 * @param idleMillis keepalive_timeout between requests (Undertow's NO_REQUEST_TIMEOUT)
 */
public record LeanLimits(int maxHead, int maxHeaders, long idleMillis) {
}
