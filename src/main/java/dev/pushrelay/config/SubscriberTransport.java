package dev.pushrelay.config;

import java.util.Locale;

/**
 * The subscriber transports a location serves (protocol.md §14.7): nchan_subscriber's words
 * for the ones pushrelay has built. A push_subscriber location serves every one of them.
 */
public enum SubscriberTransport {
    WEBSOCKET, EVENTSOURCE, LONGPOLL, INTERVALPOLL, CHUNKED, MULTIPART_MIXED;

    /** nchan_subscriber's word for this transport. */
    String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The transport nchan_subscriber's {@code word} names (nchan's aliases too), or null. */
    static SubscriberTransport of(String word) {
        return switch (word) {
            case "http-chunked" -> CHUNKED;
            case "multipart", "multipart/mixed", "http-multipart" -> MULTIPART_MIXED;
            default -> {
                for (SubscriberTransport t : values()) {
                    if (t.word().equals(word)) yield t;
                }
                yield null;
            }
        };
    }
}
