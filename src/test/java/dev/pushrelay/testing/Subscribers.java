package dev.pushrelay.testing;

import java.io.IOException;
import java.time.Duration;

/**
 * Waits until a channel has exactly N waiting long-polls, by polling its channel info
 * (protocol.md §3.4), so no test sleeps to synchronise with a parked subscriber.
 */
public final class Subscribers {

    private Subscribers() {
    }

    /**
     * Polls {@code GET publisherTarget} (JSON) on {@code port} until it reports {@code n}
     * subscribers; a missing channel (404) counts as 0.
     */
    public static void await(int port, String publisherTarget, int n, Duration timeout) throws IOException {
        ChannelInfoJson.awaitSubscribers(port, publisherTarget, n, timeout);
    }
}
