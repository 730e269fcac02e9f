package dev.pushrelay.config;

import java.util.Locale;

/**
 * The subscriber transports a location serves (protocol.md §14.7): nchan_subscriber's words
 * for the ones pushrelay has built. A push_subscriber location serves every one of them.
 */
public enum SubscriberTransport {
    WEBSOCKET, EVENTSOURCE, LONGPOLL, INTERVALPOLL;

    /** nchan_subscriber's word for this transport. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
