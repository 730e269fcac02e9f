package dev.pushrelay.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The channel info a publisher location answers to GET with {@code Accept: text/json}
 * (protocol.md §3.4), read over the wire: what the server holds, for tests to compare with and
 * to wait on instead of sleeping.
 */
public record ChannelInfoJson(int messages, int requested, int subscribers) {

    private static final Pattern JSON = Pattern.compile(
            "\"messages\": (\\d+), \"requested\": (-?\\d+), \"subscribers\": (\\d+)");

    /** The info of the channel at {@code publisherTarget}, empty when it does not exist (404). */
    public static Optional<ChannelInfoJson> get(int port, String publisherTarget) throws IOException {
        RawResponse r = RawHttp.exchange(port, RawHttp.get(publisherTarget, "Accept: text/json"));
        return parse(publisherTarget, r);
    }

    private static Optional<ChannelInfoJson> parse(String publisherTarget, RawResponse r) {
        if (r.status() == 404) return Optional.empty();
        Matcher m = JSON.matcher(r.text());
        if (r.status() != 200 || !m.find()) throw new AssertionError("no channel info at " + publisherTarget + ": " + r);
        return Optional.of(new ChannelInfoJson(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))));
    }

    /**
     * Polls the channel info until exactly {@code n} long-polls wait on the channel; a missing
     * channel counts as 0, and so does a 503 (a store on Redis still reconnecting, protocol.md
     * §13). Fails the test after {@code timeout}.
     */
    public static void awaitSubscribers(int port, String publisherTarget, int n, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<ChannelInfoJson> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            RawResponse r = RawHttp.exchange(port, RawHttp.get(publisherTarget, "Accept: text/json"));
            last = r.status() == 503 ? Optional.empty() : parse(publisherTarget, r);
            if (last.map(ChannelInfoJson::subscribers).orElse(0) == n) return;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("never saw " + n + " subscribers on " + publisherTarget + "; last: "
                + last.map(Object::toString).orElse("no channel"));
    }
}
