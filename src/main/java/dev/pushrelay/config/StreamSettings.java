package dev.pushrelay.config;

/**
 * How a subscriber location serves the streaming transports (protocol.md §14).
 *
 * @param eventSourcePingSeconds nchan_eventsource_ping_interval: a comment line every this
 *        many seconds on an idle EventSource stream, 0 = never (nchan's default)
 * @param webSocketPingSeconds nchan_websocket_ping_interval: a ping frame every this many
 *        seconds, 0 = never (nchan's default)
 * @param gapHeader pushrelay_cursor_gap_header: a long-poll answer carries
 *        {@code X-Pushrelay-Gap} when the cursor pointed before the oldest stored message
 *        (off by default, so legacy answers stay byte-identical)
 */
public record StreamSettings(long eventSourcePingSeconds, long webSocketPingSeconds, boolean gapHeader) {

    public static final StreamSettings DEFAULT = new StreamSettings(0, 0, false);

    public StreamSettings {
        if (eventSourcePingSeconds < 0 || webSocketPingSeconds < 0) throw new IllegalArgumentException("negative ping interval");
    }
}
