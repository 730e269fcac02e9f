package dev.pushrelay.config;

import java.util.EnumSet;
import java.util.Set;

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
 * @param transports the subscriber transports the location serves: every one for
 *        push_subscriber, those nchan_subscriber names (§14.7); a request for another gets 403
 * @param channelId nchan_channel_id: the channel id, evaluated after the rewrite phase in
 *        place of $push_channel_id (§14.7); null = $push_channel_id
 * @param firstNewest nchan_subscriber_first_message newest: a subscriber that names no
 *        position waits for the next message instead of getting the oldest stored (§14.7)
 */
public record StreamSettings(long eventSourcePingSeconds, long webSocketPingSeconds, boolean gapHeader,
                             Set<SubscriberTransport> transports, ValueTemplate channelId, boolean firstNewest) {

    public static final StreamSettings DEFAULT = new StreamSettings(0, 0, false, EnumSet.allOf(SubscriberTransport.class),
            null, false);

    public StreamSettings {
        if (eventSourcePingSeconds < 0 || webSocketPingSeconds < 0) throw new IllegalArgumentException("negative ping interval");
        transports = Set.copyOf(transports);
    }

    /** @return whether the location serves {@code t} */
    public boolean serves(SubscriberTransport t) {
        return transports.contains(t);
    }

    /** @return whether a plain GET gets a long-poll or interval-poll answer here */
    public boolean servesPolls() {
        return serves(SubscriberTransport.LONGPOLL) || serves(SubscriberTransport.INTERVALPOLL);
    }
}
