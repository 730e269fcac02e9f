package dev.pushrelay.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
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
 * @param channelIds nchan_channel_id: the channel id(s), evaluated after the rewrite phase in
 *        place of $push_channel_id (§14.7); several = one subscriber follows several channels
 *        (§14.8); empty = $push_channel_id
 * @param splitDelimiter nchan_channel_id_split_delimiter: each evaluated id is cut into
 *        several at this string (§14.8); "" = none
 * @param firstMessage nchan_subscriber_first_message, nchan's numbers: 1 (oldest, the
 *        default) the oldest stored message, 0 (newest) the next one published, N the Nth
 *        stored from the oldest, -N the Nth from the newest (§14.7)
 * @param publishHttp a publisher location takes POST/PUT/GET/DELETE: push_publisher, and
 *        nchan_publisher without arguments or with http (§14.7)
 * @param publishWebSocket a publisher location takes WebSocket publishers: push_publisher,
 *        and nchan_publisher without arguments or with websocket (§14.9)
 */
public record StreamSettings(long eventSourcePingSeconds, long webSocketPingSeconds, boolean gapHeader,
                             Set<SubscriberTransport> transports, List<ValueTemplate> channelIds, String splitDelimiter,
                             int firstMessage, boolean publishHttp, boolean publishWebSocket) {

    /** nchan's limit of channels one subscriber follows (NCHAN_MULTITAG_MAX); more is 403 (§14.8). */
    public static final int MAX_CHANNELS = 255;
    /** Joins the ids of a multiplexed $push_channel_id: nginx refuses a NUL in a request, so no id holds one. */
    static final char SEPARATOR = '\0';
    /** nchan_subscriber_first_message oldest and newest, as nchan stores them. */
    public static final int OLDEST = 1;
    public static final int NEWEST = 0;

    public static final StreamSettings DEFAULT = new StreamSettings(0, 0, false, EnumSet.allOf(SubscriberTransport.class),
            List.of(), "", OLDEST, true, true);

    public StreamSettings {
        if (eventSourcePingSeconds < 0 || webSocketPingSeconds < 0) throw new IllegalArgumentException("negative ping interval");
        transports = Set.copyOf(transports);
        channelIds = List.copyOf(channelIds);
    }

    /** nchan_subscriber_first_message newest: a subscriber naming no position waits for the next message. */
    public boolean firstNewest() {
        return firstMessage == NEWEST;
    }

    /** @return whether nchan_channel_id names the channel(s) here, in place of $push_channel_id */
    public boolean namesChannel() {
        return !channelIds.isEmpty();
    }

    /**
     * The value $push_channel_id takes here (§14.7, §14.8): the one id, or several joined by
     * {@link #SEPARATOR} when nchan_channel_id has several values or the split delimiter cuts
     * one. As nchan's, a delimiter at the very end adds no id; empty ids elsewhere count.
     */
    public String channelIdValue(Function<ValueTemplate, String> evaluate) {
        List<String> ids = new ArrayList<>();
        for (ValueTemplate e : channelIds) {
            String v = evaluate.apply(e);
            if (splitDelimiter.isEmpty()) {
                ids.add(v);
                continue;
            }
            int from = 0;
            while (from < v.length()) {
                int at = v.indexOf(splitDelimiter, from);
                if (at < 0) at = v.length();
                ids.add(v.substring(from, at));
                from = at + splitDelimiter.length();
            }
            if (v.isEmpty()) ids.add(v);
        }
        return ids.size() == 1 ? ids.get(0) : String.join(String.valueOf(SEPARATOR), ids);
    }

    /** The ids in a request's channel id: several when multiplexed (§14.8), else the one. */
    public static List<String> ids(String channelIdValue) {
        if (channelIdValue.indexOf(SEPARATOR) < 0) return List.of(channelIdValue);
        return List.of(channelIdValue.split(String.valueOf(SEPARATOR), -1));
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
