package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * test-clients/publish.sh and subscribe.sh, real curl against a real pushrelay: every message
 * printed once and in order by every subscriber (protocol.md §4.2), several per second included.
 */
@Tag(ExternalPrograms.CURL)
@ExtendWith(ExternalPrograms.class)
class CurlClientsIT {

    private static final Duration LIMIT = Duration.ofSeconds(40);

    /** The seed deployment with room for every message of a test, plus a `first` location (§7.1). */
    private static final String CONF = """
            location /publish {
                set $push_channel_id $arg_id;
                push_publisher;
                push_max_message_buffer_length 100;
            }
            location /activity {
                push_subscriber;
                push_subscriber_concurrency broadcast;
                set $push_channel_id $arg_id;
            }
            location /first {
                push_subscriber;
                push_subscriber_concurrency first;
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

    @Test
    void two_waiting_subscribers_print_every_message_once_in_order() throws IOException {
        List<String> burst = List.of("one", "two words", "@not-a-file", "ünïcødé ✓", "last of the burst");
        List<String> lines = IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i).toList();
        List<String> all = Stream.concat(burst.stream(), lines.stream()).toList();
        // -T: a bound for a broken run only (the subscribers end at -n); one curl per message took
        // over 30 s for 15 messages on a machine at load 50
        try (ClientProcess a = subscribe("curl-sub-a", "-n", "" + all.size(), "-T", "90", "walk");
             ClientProcess b = subscribe("curl-sub-b", "-n", "" + all.size(), "-T", "90", "walk")) {
            relay.awaitSubscribers("/publish?id=walk", 2);

            // arguments: one message each, back to back (mostly within one second: the tags walk)
            List<String> statuses = publish("curl-pub-args", null, cat("walk", burst)).lines();
            assertEquals(burst.size(), statuses.size(), statuses.toString());
            assertEquals("201", statuses.get(0), "both subscribers were waiting");
            assertTrue(statuses.stream().allMatch(s -> s.equals("201") || s.equals("202")), statuses.toString());

            // standard input: one message per line
            statuses = publish("curl-pub-stdin", String.join("\n", lines) + "\n", "walk").lines();
            assertEquals(lines.size(), statuses.size(), statuses.toString());

            for (ClientProcess sub : List.of(a, b)) {
                sub.expectExit(0, Duration.ofSeconds(100));
                assertEquals(all, sub.lines(), sub.describe());
            }
        }
    }

    @Test
    void a_late_subscriber_gets_the_stored_messages_from_the_oldest_then_waits_for_new_ones() throws IOException {
        publish("curl-pub-backlog", null, "backlog", "stored 1", "stored 2", "stored 3");
        try (ClientProcess sub = subscribe("curl-sub-backlog", "-n", "4", "-T", "30", "backlog")) {
            relay.awaitSubscribers("/publish?id=backlog", 1);
            assertEquals(List.of("201"), publish("curl-pub-backlog-new", null, "backlog", "new").lines());
            sub.expectExit(0, LIMIT);
            assertEquals(List.of("stored 1", "stored 2", "stored 3", "new"), sub.lines(), sub.describe());
        }
    }

    @Test
    void a_whole_input_is_one_message_with_its_newlines() {
        publish("curl-pub-whole", "first line\nsecond line\n", "-a", "whole");
        try (ClientProcess sub = subscribe("curl-sub-whole", "-n", "1", "-T", "30", "whole")) {
            sub.expectExit(0, LIMIT);
            // the message's own final newline, then the one subscribe.sh adds
            assertEquals("first line\nsecond line\n\n", sub.stdout());
        }
    }

    @Test
    void the_subscriber_stops_with_3_when_the_channel_is_deleted() throws IOException {
        try (ClientProcess sub = subscribe("curl-sub-gone", "-T", "30", "gone")) {
            relay.awaitSubscribers("/publish?id=gone", 1);
            assertEquals(200, relay.send(request("DELETE", "/publish?id=gone", null)).status());
            sub.expectExit(3, LIMIT);
            assertTrue(sub.stderr().contains("410"), sub.describe());
        }
    }

    @Test
    void the_subscriber_stops_with_4_when_another_holds_a_first_channel() throws Exception {
        try (ClientProcess holder = subscribe("curl-sub-first-holder", "-l", "/first", "-T", "30", "taken");
             ClientProcess late = subscribe("curl-sub-first-late", "-l", "/first", "-T", "30", "taken")) {
            // one of the two waits, the other is refused (protocol.md §7.1)
            CompletableFuture.anyOf(holder.onExit(), late.onExit()).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            ClientProcess refused = holder.isAlive() ? late : holder;
            assertEquals(4, refused.await(LIMIT), refused.describe());
            relay.awaitSubscribers("/publish?id=taken", 1);
        }
    }

    @Test
    void the_run_time_bound_stops_an_idle_subscriber() {
        try (ClientProcess sub = subscribe("curl-sub-idle", "-T", "2", "idle")) {
            sub.expectExit(0, Duration.ofSeconds(15));
            assertEquals("", sub.stdout());
        }
    }

    private static ClientProcess subscribe(String name, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "test-clients/subscribe.sh", "-u", relay.baseUrl()));
        cmd.addAll(List.of(args));
        return ClientProcess.start(name, Map.of(), cmd);
    }

    private static ClientProcess publish(String name, String input, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "test-clients/publish.sh", "-u", relay.baseUrl()));
        cmd.addAll(List.of(args));
        try (ClientProcess p = ClientProcess.start(name, Map.of(), cmd, input)) {
            return p.expectExit(0, LIMIT);
        }
    }

    private static String[] cat(String head, List<String> tail) {
        return Stream.concat(Stream.of(head), tail.stream()).toArray(String[]::new);
    }
}
