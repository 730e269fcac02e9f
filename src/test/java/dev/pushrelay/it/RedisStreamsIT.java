package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RedisServer;
import dev.pushrelay.testing.ServerProcess;
import dev.pushrelay.testing.Subscribers;
import dev.pushrelay.testing.WebSocketEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §13 with §14: streams and multiplexed subscribers on Redis locations, two
 * pushrelay processes on one real redis-server. An EventSource on node B follows what is
 * published on node A and resumes with Last-Event-ID on node A; WebSocket, chunked and
 * multiplexed subscribers likewise; a refusal of the first registration is still the
 * long-poll's status, and a delete ends the streams of both nodes. The gap signal (§14.5)
 * and nchan_subscriber_first_message N (§14.7) read the channel in Redis, so they hold
 * across nodes: a buffer trimmed by publishes on one node is signalled on the other.
 */
@Tag(ExternalPrograms.REDIS)
@ExtendWith(ExternalPrograms.class)
class RedisStreamsIT {

    private static final String ES = "Accept: text/event-stream";

    private static RedisServer redis;
    private static ServerProcess a;
    private static ServerProcess b;

    static String conf(String redisUrl) {
        return """
                upstream rds {
                    nchan_redis_server %s;
                }
                location /pub {
                    nchan_publisher;
                    nchan_channel_id $arg_id;
                    push_message_timeout 1h;
                    push_max_message_buffer_length 50;
                    nchan_redis_pass rds;
                }
                location /sub {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    nchan_redis_pass rds;
                }
                location /first {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    push_subscriber_concurrency first;
                    nchan_redis_pass rds;
                }
                location /multi {
                    nchan_subscriber;
                    nchan_channel_id $arg_id-x $arg_id-y;
                    push_subscriber_timeout 10;
                    nchan_redis_pass rds;
                }
                location /pubsmall {
                    nchan_publisher;
                    nchan_channel_id $arg_id;
                    push_message_timeout 1h;
                    push_max_message_buffer_length 2;
                    nchan_redis_pass rds;
                }
                location /gapsub {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    pushrelay_cursor_gap_header on;
                    nchan_redis_pass rds;
                }
                location /second {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    nchan_subscriber_first_message 2;
                    nchan_redis_pass rds;
                }
                location /penultimate {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    nchan_subscriber_first_message -2;
                    nchan_redis_pass rds;
                }
                location /multipoll {
                    nchan_subscriber intervalpoll;
                    nchan_channel_id $arg_id-x $arg_id-y;
                    nchan_redis_pass rds;
                }
                """.formatted(redisUrl);
    }

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start();
        a = ServerProcess.start(conf(redis.url()));
        b = ServerProcess.start(conf(redis.url()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (a != null) a.close();
        if (b != null) b.close();
        if (redis != null) redis.close();
    }

    private static void publish(ServerProcess p, String id, String body) throws IOException {
        int status = RawHttp.exchange(p.port(), post("/pub?id=" + id, body)).status();
        assertTrue(status == 201 || status == 202, "publish " + body + ": " + status);
    }

    private static void awaitSubscribers(ServerProcess p, String id, int n) throws IOException {
        Subscribers.await(p.port(), "/pub?id=" + id, n, Duration.ofSeconds(15));
    }

    /** "id: X\ndata: Y\n\n" → X */
    private static String idOf(String event) {
        assertTrue(event.startsWith("id: "), event);
        return event.substring(4, event.indexOf('\n'));
    }

    private static String dataOf(String event) {
        int d = event.indexOf("data: ");
        return event.substring(d + 6, event.indexOf('\n', d));
    }

    @Test
    void s13_an_eventsource_on_one_node_follows_publishes_on_the_other_and_resumes_on_either() throws Exception {
        publish(a, "es", "m1");
        String resumeAt;
        try (EventStream s = EventStream.open(b.port(), get("/sub?id=es", ES))) {
            assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
            String first = s.nextEvent();
            assertEquals("m1", dataOf(first), "the stored message first");
            awaitSubscribers(a, "es", 1);
            publish(a, "es", "m2");
            String second = s.nextEvent();
            assertEquals("m2", dataOf(second));
            resumeAt = idOf(second);
            for (int i = 3; i <= 5; i++) publish(a, "es", "m" + i);
            for (int i = 3; i <= 5; i++) assertEquals("m" + i, dataOf(s.nextEvent()), "in order, none lost");
        }
        // Resume on the other node after m2: m3..m5 again, then live ones.
        try (EventStream s = EventStream.open(a.port(), get("/sub?id=es", ES, "Last-Event-ID: " + resumeAt))) {
            for (int i = 3; i <= 5; i++) assertEquals("m" + i, dataOf(s.nextEvent()));
            awaitSubscribers(b, "es", 1);
            publish(b, "es", "m6");
            assertEquals("m6", dataOf(s.nextEvent()));
        }
    }

    @Test
    void s14_5_a_buffer_trimmed_on_one_node_is_a_gap_for_a_stream_or_long_poll_resuming_on_the_other()
            throws Exception {
        List<String> ids = new ArrayList<>();
        try (EventStream s = EventStream.open(b.port(), get("/sub?id=gap", ES))) {
            assertEquals(200, s.head().status());
            for (int i = 1; i <= 6; i++) {
                awaitSubscribers(a, "gap", 1);
                assertEquals(201, RawHttp.exchange(a.port(), post("/pubsmall?id=gap", "g" + i)).status());
                String ev = s.nextEvent();
                assertEquals("g" + i, dataOf(ev));
                ids.add(idOf(ev));
            }
        }
        // g5 and g6 stored (buffer 2): a cursor at g1 missed g2..g4, g4 the newest gone
        try (EventStream s = EventStream.open(a.port(), get("/sub?id=gap", ES, "Last-Event-ID: " + ids.get(0)))) {
            assertEquals("event: pushrelay-gap\ndata: " + ids.get(3) + "\n\n", s.nextEvent());
            assertEquals("g5", dataOf(s.nextEvent()));
            assertEquals("g6", dataOf(s.nextEvent()));
        }
        try (EventStream s = EventStream.open(b.port(), get("/sub?id=gap", ES, "Last-Event-ID: " + ids.get(4)))) {
            awaitSubscribers(a, "gap", 1); // the stream closed on A is counted off
            publish(a, "gap", "g7");
            assertEquals("g6", dataOf(s.nextEvent()), "no gap after g5: nothing between was lost");
            assertEquals("g7", dataOf(s.nextEvent()));
        }
        RawResponse lp = RawHttp.exchange(b.port(), get("/gapsub?id=gap&last_event_id=" + ids.get(1)));
        assertEquals(200, lp.status());
        assertEquals("g5", lp.text());
        assertEquals(ids.get(3), lp.header("X-Pushrelay-Gap"));
        RawResponse plain = RawHttp.exchange(b.port(), get("/sub?id=gap&last_event_id=" + ids.get(1)));
        assertEquals("g5", plain.text());
        assertEquals(null, plain.header("X-Pushrelay-Gap"), "only where the location asks");
    }

    @Test
    void s14_7_first_message_n_starts_at_the_nth_stored_message_of_a_channel_published_on_the_other_node()
            throws Exception {
        for (int i = 1; i <= 4; i++) publish(a, "nth", "f" + i);
        try (EventStream s = EventStream.open(b.port(), get("/second?id=nth", ES))) {
            assertEquals("f2", dataOf(s.nextEvent()), "the 2nd from the oldest");
            assertEquals("f3", dataOf(s.nextEvent()));
        }
        assertEquals("f3", RawHttp.exchange(b.port(), get("/penultimate?id=nth")).text(), "the 2nd from the newest");
        assertEquals("f1", RawHttp.exchange(b.port(), get("/sub?id=nth")).text(), "oldest by default");
        WebSocketEvents events = new WebSocketEvents();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + b.port() + "/penultimate?id=nth"), events)
                .get(15, TimeUnit.SECONDS);
        try {
            assertEquals("text:f3", events.next());
            assertEquals("text:f4", events.next());
        } finally {
            ws.abort();
        }
        // a long-poll on an empty channel still waits for the next message
        var later = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.exchange(b.port(), get("/second?id=nth-empty"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        awaitSubscribers(a, "nth-empty", 1);
        publish(a, "nth-empty", "only");
        assertEquals("only", later.get(15, TimeUnit.SECONDS).text());
    }

    @Test
    void s13_an_open_stream_outlives_redis_going_away_and_goes_on_when_it_returns() throws Exception {
        try (EventStream s = EventStream.open(b.port(), get("/sub?id=away", ES))) {
            assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
            awaitSubscribers(a, "away", 1);
            publish(a, "away", "before");
            assertEquals("before", dataOf(s.nextEvent()));
            redis.stop();
            assertEquals(503, RawHttp.exchange(a.port(), post("/pub?id=away", "lost")).status());
            redis.launch(); // without its data
            awaitSubscribers(a, "away", 1); // node B caught its stream up and counted it again
            publish(a, "away", "after");
            publish(a, "away", "later");
            // The new Redis may begin its epoch in the second the stream's cursor was stamped
            // with: "after" still gets an id above that cursor (protocol.md §13).
            assertEquals("after", dataOf(s.nextEvent()), "the stream stayed open and goes on");
            assertEquals("later", dataOf(s.nextEvent()));
        }
    }

    @Test
    void s13_a_websocket_on_one_node_gets_what_the_other_publishes() throws Exception {
        WebSocketEvents events = new WebSocketEvents();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + b.port() + "/sub?id=ws"), events).get(15, TimeUnit.SECONDS);
        try {
            awaitSubscribers(a, "ws", 1);
            publish(a, "ws", "w1");
            assertEquals("text:w1", events.next());
            awaitSubscribers(a, "ws", 1);
            publish(a, "ws", "w2");
            assertEquals("text:w2", events.next());
        } finally {
            ws.abort();
        }
    }

    @Test
    void s13_a_chunked_stream_follows_the_other_node() throws Exception {
        try (EventStream s = EventStream.open(b.port(), get("/sub?id=ch", "TE: chunked"))) {
            assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
            awaitSubscribers(a, "ch", 1);
            publish(a, "ch", "c1\n\n");
            assertEquals("c1\n\n", s.next());
        }
    }

    @Test
    void s13_multiplexed_eventsource_and_polls_span_both_nodes() throws Exception {
        publish(a, "mx-x", "x1");
        publish(a, "mx-y", "y1");
        try (EventStream s = EventStream.open(b.port(), get("/multi?id=mx", ES))) {
            assertEquals("x1", dataOf(s.nextEvent()));
            assertEquals("y1", dataOf(s.nextEvent()));
            awaitSubscribers(a, "mx-y", 1);
            publish(a, "mx-y", "y2");
            String y2 = s.nextEvent();
            assertEquals("y2", dataOf(y2));
            assertTrue(idOf(y2).contains("["), "a compound id: " + y2);
        }
        RawResponse poll = RawHttp.exchange(a.port(), get("/multipoll?id=mx"));
        assertEquals(200, poll.status());
        assertEquals("x1", poll.text());
        // A multiplexed long-poll parks on B and is answered by a publish on A.
        var later = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.exchange(b.port(), get("/multi?id=mq"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        awaitSubscribers(a, "mq-y", 1);
        publish(a, "mq-y", "late");
        RawResponse r = later.get(15, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("late", r.text());
    }

    /**
     * protocol.md §13/§14.8: the first channel of a new epoch takes ids of the next second;
     * a channel created in that next second must still sort after it, or a multiplexed
     * stream sends the younger channel's message first. Redis's own clock (TIME) is read
     * until it enters that second; a machine too slow to publish within it tries again.
     */
    @Test
    void s13_a_channel_created_in_the_second_after_the_epoch_sorts_after_the_epochs_channels() throws Exception {
        for (int attempt = 1; ; attempt++) {
            String id = "ep" + attempt;
            redis.cli("FLUSHALL");
            publish(a, id + "-x", "x1");
            long epoch = Long.parseLong(redis.cli("GET", "pushrelay:epoch"));
            while (Long.parseLong(redis.cli("TIME").lines().findFirst().orElseThrow()) <= epoch) {
                Thread.onSpinWait();
            }
            publish(a, id + "-y", "y1");
            RawResponse y = RawHttp.exchange(b.port(), get("/sub?id=" + id + "-y"));
            long second = java.time.ZonedDateTime.parse(y.header("Last-Modified"),
                    java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            if (second != epoch + 1 && attempt < 10) continue;
            assertEquals(epoch + 1, second, "y1 was published in the second after the epoch's");
            try (EventStream s = EventStream.open(b.port(), get("/multi?id=" + id, ES))) {
                assertEquals("x1", dataOf(s.nextEvent()), "the older channel's message first");
                assertEquals("y1", dataOf(s.nextEvent()));
            }
            return;
        }
    }

    @Test
    void s13_a_refused_first_registration_is_a_status_and_a_delete_ends_streams_on_both_nodes() throws Exception {
        try (EventStream held = EventStream.open(a.port(), get("/first?id=fd", ES))) {
            assertEquals("HTTP/1.1 200 OK", held.head().statusLine());
            awaitSubscribers(b, "fd", 1);
            try (EventStream refused = EventStream.open(b.port(), get("/first?id=fd", ES))) {
                assertEquals(409, refused.head().status(), "first: a subscriber waits on the other node");
            }
            try (EventStream other = EventStream.open(b.port(), get("/sub?id=fd", ES))) {
                awaitSubscribers(a, "fd", 2);
                assertEquals(200, RawHttp.exchange(a.port(), RawHttp.request("DELETE", "/pub?id=fd", null)).status());
                assertTrue(other.nextEvent().contains("channel deleted"));
                assertTrue(held.nextEvent().contains("channel deleted"));
            }
        }
    }
}
