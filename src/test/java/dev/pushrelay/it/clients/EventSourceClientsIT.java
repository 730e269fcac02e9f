package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.2 with a real client: {@code curl -N} reading an EventSource stream from a
 * real pushrelay (real clock), every message once and in order, then a resume from the id
 * it printed.
 */
@Tag(ExternalPrograms.CURL)
@ExtendWith(ExternalPrograms.class)
class EventSourceClientsIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Pattern ID = Pattern.compile("id: (\\d+:\\d+)\n");

    private static final String CONF = """
            location /publish {
                set $push_channel_id $arg_id;
                push_publisher;
                push_max_message_buffer_length 100;
            }
            location /sub {
                push_subscriber;
                set $push_channel_id $arg_id;
            }
            """;

    private static Relay relay;

    @BeforeAll
    static void start() {
        ExternalPrograms.curl();
        relay = Relay.start(CONF);
    }

    @AfterAll
    static void stop() {
        if (relay != null) relay.close();
    }

    private static ClientProcess curl(String name, String target, String... headers) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sN", "-m", "30",
                "-H", "Accept: text/event-stream"));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        cmd.add(relay.baseUrl() + target);
        return ClientProcess.start(name, java.util.Map.of(), cmd);
    }

    /** Polls curl's output until it holds {@code events} events (blank-line-ended blocks after the opening comment). */
    private static String awaitEvents(ClientProcess c, int events) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT.toSeconds());
        while (System.nanoTime() < deadline) {
            String out = c.stdout();
            if (out.split("\n\n", -1).length - 2 >= events) return out;
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll, not a wait for timing
        }
        throw new AssertionError("fewer than " + events + " events\n" + c.describe());
    }

    @Test
    void curl_prints_each_message_once_in_order_then_resumes_from_the_last_id() throws IOException {
        String stream;
        try (ClientProcess c = curl("curl-es", "/sub?id=es")) {
            relay.awaitSubscribers("/publish?id=es", 1);
            assertEquals(201, relay.send(post("/publish?id=es", "one")).status());
            relay.send(post("/publish?id=es", "two\nlines", "X-EventSource-Event: pair"));
            relay.send(post("/publish?id=es", "three"));
            stream = awaitEvents(c, 3);
        }
        Matcher m = ID.matcher(stream);
        java.util.List<String> ids = new java.util.ArrayList<>();
        while (m.find()) ids.add(m.group(1));
        assertEquals(3, ids.size(), stream);
        assertEquals(":\n\n"
                + "id: " + ids.get(0) + "\ndata: one\n\n"
                + "id: " + ids.get(1) + "\nevent: pair\ndata: two\ndata: lines\n\n"
                + "id: " + ids.get(2) + "\ndata: three\n\n", stream);
        // the client drops; two more are published; it comes back with the last id it saw
        relay.send(post("/publish?id=es", "four"));
        relay.send(post("/publish?id=es", "five"));
        try (ClientProcess c = curl("curl-es-resume", "/sub?id=es", "Last-Event-ID: " + ids.get(1))) {
            String resumed = awaitEvents(c, 3);
            assertTrue(resumed.matches("(?s):\n\nid: " + ids.get(2) + "\ndata: three\n\nid: \\d+:\\d+\ndata: four\n\n"
                    + "id: \\d+:\\d+\ndata: five\n\n"), resumed);
        }
        try (ClientProcess c = curl("curl-es-arg", "/sub?id=es&last_event_id=" + ids.get(2))) {
            String resumed = awaitEvents(c, 2);
            assertTrue(resumed.matches("(?s):\n\nid: \\d+:\\d+\ndata: four\n\nid: \\d+:\\d+\ndata: five\n\n"), resumed);
        }
    }
}
