package dev.pushrelay.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits until a channel has exactly N waiting long-polls, by polling its channel info
 * (protocol.md §3.4), so no test sleeps to synchronise with a parked subscriber.
 */
public final class Subscribers {

    private static final Pattern COUNT = Pattern.compile("\"subscribers\": (\\d+)");

    private Subscribers() {
    }

    /**
     * Polls {@code GET publisherTarget} (JSON) on {@code port} until it reports {@code n}
     * subscribers; a missing channel (404) counts as 0.
     */
    public static void await(int port, String publisherTarget, int n, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            RawResponse r = RawHttp.exchange(port, RawHttp.get(publisherTarget, "Accept: text/json"));
            last = r.toString();
            if (r.status() == 200) {
                Matcher m = COUNT.matcher(r.text());
                if (m.find() && Integer.parseInt(m.group(1)) == n) return;
            } else if (n == 0 && r.status() == 404) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("never saw " + n + " subscribers on " + publisherTarget + "; last: " + last);
    }
}
