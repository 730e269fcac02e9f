package dev.pushrelay.it;

import dev.pushrelay.testing.ChannelInfoJson;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RedisServer;
import dev.pushrelay.testing.ServerProcess;
import dev.pushrelay.testing.Subscribers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §13: two pushrelay processes sharing their channels through one real
 * redis-server (started here on a free loopback port, persistence off): delivery and
 * cursors across nodes, 201 and the concurrency modes judged across nodes, delete,
 * channel info, Redis going away and coming back without its data, a node killed.
 */
@Tag(ExternalPrograms.REDIS)
@ExtendWith(ExternalPrograms.class)
class RedisIT {

    private static RedisServer redis;
    /** Two nodes shared by the tests (each test uses its own channels): JVM starts are the slow part. */
    private static ServerProcess a;
    private static ServerProcess b;

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServer.start();
        a = node("t:");
        b = node("t:");
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (a != null) a.close();
        if (b != null) b.close();
        if (redis != null) redis.close();
    }

    /** Publisher and subscriber locations in every concurrency mode, all on the Redis upstream. */
    static String conf(String namespace) {
        String sub = """
                location /%s {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    push_subscriber_concurrency %s;
                    %s
                    nchan_redis_pass rds;
                }
                """;
        return """
                upstream rds {
                    nchan_redis_server %s;
                }
                nchan_redis_namespace %s;
                location /pub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_message_timeout 1h;
                    push_max_message_buffer_length 50;
                    nchan_redis_pass rds;
                }
                location /storeoff {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_store_messages off;
                    nchan_redis_pass rds;
                }
                location /short {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_message_timeout 1s;
                    nchan_redis_pass rds;
                }
                location /dorm {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_delete_oldest_received_message on;
                    push_min_message_buffer_length 1;
                    nchan_redis_pass rds;
                }
                location /status {
                    pushrelay_status;
                }
                location /metrics {
                    pushrelay_metrics;
                }
                location /rec2 {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_min_message_recipients 2;
                    push_min_message_buffer_length 1;
                    nchan_redis_pass rds;
                }
                location /rec1 {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_min_message_recipients 1;
                    push_min_message_buffer_length 0;
                    nchan_redis_pass rds;
                }
                location /auth {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    push_authorized_channels_only on;
                    nchan_redis_pass rds;
                }
                location /ipoll {
                    set $push_channel_id $arg_id;
                    push_subscriber interval-poll;
                    nchan_redis_pass rds;
                }
                location /urlpub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    nchan_redis_url %s;
                    nchan_use_redis on;
                }
                """.formatted(redis.url(), namespace, redis.url())
                + sub.formatted("sub", "broadcast", "")
                + sub.formatted("first", "first", "")
                + sub.formatted("last", "last", "")
                + sub.formatted("lim", "broadcast", "push_max_channel_subscribers 1;");
    }

    private static ServerProcess node(String namespace) throws IOException {
        return ServerProcess.start(conf(namespace));
    }

    private static void awaitSubscribers(ServerProcess p, String id, int n) throws IOException {
        Subscribers.await(p.port(), "/pub?id=" + id, n, Duration.ofSeconds(15));
    }

    private static RawResponse publish(ServerProcess p, String id, String body) throws IOException {
        return RawHttp.exchange(p.port(), post("/pub?id=" + id, body, "Content-Type: text/x-test"));
    }

    private static String next(RawResponse r, String target) {
        return get(target, "If-Modified-Since: " + r.header("Last-Modified"), "If-None-Match: " + r.header("Etag"));
    }

    @Test
    void s13_a_message_published_on_one_node_reaches_a_waiter_on_the_other_with_the_same_cursor() throws Exception {
        try (RawHttp waiting = new RawHttp(b.port())) {
            waiting.send(get("/sub?id=x"));
            awaitSubscribers(a, "x", 1); // node A counts node B's waiter
            RawResponse pub = publish(a, "x", "hello");
            assertEquals(201, pub.status(), "a waiter on any node makes it 201: " + pub);
            RawResponse got = waiting.read();
            assertEquals(200, got.status(), got.toString());
            assertEquals("hello", got.text());
            assertEquals("text/x-test", got.header("Content-Type"));

            assertEquals(202, publish(b, "x", "second").status());
            assertEquals(202, RawHttp.exchange(a.port(), post("/urlpub?id=x", "third")).status(),
                    "nchan_redis_url + nchan_use_redis is the same Redis");
            // the cursor walk gives identical messages and headers on either node
            RawResponse onA = RawHttp.exchange(a.port(), get("/sub?id=x"));
            RawResponse onB = RawHttp.exchange(b.port(), get("/sub?id=x"));
            assertEquals("hello", onA.text());
            assertEquals(onA.header("Last-Modified"), onB.header("Last-Modified"));
            assertEquals(onA.header("Etag"), onB.header("Etag"));
            assertEquals(got.header("Etag"), onA.header("Etag"));
            RawResponse second = RawHttp.exchange(b.port(), next(onA, "/sub?id=x"));
            assertEquals("second", second.text());
            RawResponse third = RawHttp.exchange(a.port(), next(second, "/sub?id=x"));
            assertEquals("third", third.text());
            assertNotNull(third.header("Etag"));

            // a waiter past the newest message on node A gets the next one published on B
            try (RawHttp after = new RawHttp(a.port())) {
                after.send(next(third, "/sub?id=x"));
                awaitSubscribers(b, "x", 1);
                assertEquals(201, publish(b, "x", "fourth").status());
                assertEquals("fourth", after.read().text());
            }
        }
    }

    @Test
    void s13_first_last_and_the_subscriber_limit_are_judged_across_nodes() throws Exception {
        try (RawHttp firstA = new RawHttp(a.port()); RawHttp lastA = new RawHttp(a.port());
             RawHttp lastB = new RawHttp(b.port()); RawHttp limA = new RawHttp(a.port())) {
            firstA.send(get("/first?id=f"));
            awaitSubscribers(b, "f", 1);
            assertEquals(409, RawHttp.exchange(b.port(), get("/first?id=f")).status(), "first: the newcomer on B loses");

            lastA.send(get("/last?id=l"));
            awaitSubscribers(b, "l", 1);
            lastB.send(get("/last?id=l"));
            assertEquals(409, lastA.read().status(), "last: the waiter on A is kicked by B's newcomer");
            awaitSubscribers(a, "l", 1);
            assertEquals(201, publish(a, "l", "to B").status());
            assertEquals("to B", lastB.read().text());

            limA.send(get("/lim?id=m"));
            awaitSubscribers(b, "m", 1);
            assertEquals(403, RawHttp.exchange(b.port(), get("/lim?id=m")).status(), "push_max_channel_subscribers 1");
            assertEquals(201, publish(b, "f", "to A").status());
            assertEquals("to A", firstA.read().text());
        }
    }

    @Test
    void s13_delete_on_one_node_answers_410_to_the_waiters_of_every_node() throws Exception {
        try (RawHttp onA = new RawHttp(a.port()); RawHttp onB = new RawHttp(b.port())) {
            assertEquals(202, publish(a, "d", "kept until deleted").status());
            RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=d"));
            onA.send(next(first, "/sub?id=d"));
            onB.send(next(first, "/sub?id=d"));
            awaitSubscribers(a, "d", 2);
            RawResponse deleted = RawHttp.exchange(a.port(), RawHttp.request("DELETE", "/pub?id=d", null, "Accept: text/json"));
            assertEquals(200, deleted.status());
            String info = deleted.text().replaceAll("\\s+", " ");
            assertTrue(info.matches("\\{ ?\"messages\": 1, \"requested\": \\d+, \"subscribers\": 2 ?\\} ?"),
                    "the numbers as they were, both nodes' waiters counted: " + info);
            assertEquals(410, onA.read().status());
            assertEquals(410, onB.read().status());
            assertEquals(404, RawHttp.exchange(b.port(), get("/pub?id=d")).status(), "gone on every node");
        }
    }

    @Test
    void s13_while_redis_is_away_requests_get_503_and_waiters_catch_up_when_it_returns_without_its_data() throws Exception {
        try (RawHttp waiting = new RawHttp(b.port())) {
            RawResponse before = publish(a, "r", "before");
            assertEquals(202, before.status());
            RawResponse m1 = RawHttp.exchange(b.port(), get("/sub?id=r"));
            assertEquals("before", m1.text());
            waiting.send(next(m1, "/sub?id=r"));
            awaitSubscribers(a, "r", 1);

            redis.stop();
            RawResponse refused = publish(a, "r", "lost");
            assertEquals(503, refused.status(), refused.toString());
            assertEquals("1", refused.header("Retry-After"));

            redis.launch(); // persistence off: every key is gone
            // node B reconnects, counts its waiter again: visible on node A once both are back
            awaitSubscribers(a, "r", 1);
            RawResponse after = publish(a, "r", "after");
            assertEquals(201, after.status(), after.toString());
            RawResponse got = waiting.read();
            assertEquals(200, got.status());
            assertEquals("after", got.text(), "the waiter parked through the outage gets the next message, once");
            // ids never repeat after Redis lost its data: the old cursor still finds the new message
            RawResponse fromOld = RawHttp.exchange(a.port(), next(m1, "/sub?id=r"));
            assertEquals("after", fromOld.text());
            assertEquals(got.header("Etag"), fromOld.header("Etag"));
        }
    }

    /**
     * The outage of a fresh Redis (issue 15): its first channel's ids are stamped a second
     * ahead, and a Redis that lost its data within that same second stamps the same second.
     * FLUSHALL loses the data as a restart does, within milliseconds; the epoch key tells
     * whether both epochs began in one second (almost always; else the pair is tried again).
     */
    @Test
    void s13_a_redis_that_lost_its_data_in_the_second_its_epoch_began_gives_ids_above_the_old_ones() throws Exception {
        for (int attempt = 1; ; attempt++) {
            String id = "epoch" + attempt;
            redis.cli("FLUSHALL");
            assertEquals(202, publish(a, id, "old").status());
            String firstEpoch = redis.cli("GET", "t:pushrelay:epoch");
            RawResponse old = RawHttp.exchange(b.port(), get("/sub?id=" + id));
            assertEquals("old", old.text());
            redis.cli("FLUSHALL");
            assertEquals(202, publish(a, id, "new").status());
            if (!firstEpoch.equals(redis.cli("GET", "t:pushrelay:epoch")) && attempt < 10) continue;
            // the old cursor is below the new message: it is found at once, not waited for
            RawResponse next = RawHttp.exchange(b.port(), next(old, "/sub?id=" + id));
            assertEquals(200, next.status(), next.toString());
            assertEquals("new", next.text());
            return;
        }
    }

    @Test
    void s13_storage_settings_behave_as_on_one_node() throws Exception {
        {
            assertEquals(403, RawHttp.exchange(a.port(), get("/auth?id=s")).status(), "authorized-only: no channel yet");
            RawResponse off = RawHttp.exchange(a.port(), post("/storeoff?id=s", "not kept"));
            assertEquals(202, off.status());
            assertEquals(true, off.text().startsWith("queued messages: 0"), off.text());
            assertEquals(304, RawHttp.exchange(a.port(), get("/ipoll?id=s")).status(), "store off keeps nothing");
            assertEquals(202, RawHttp.exchange(a.port(), post("/pub?id=s", "kept")).status());
            RawResponse polled = RawHttp.exchange(a.port(), get("/ipoll?id=s"));
            assertEquals("kept", polled.text());
            assertEquals(304, RawHttp.exchange(a.port(), next(polled, "/ipoll?id=s")).status());
            assertEquals(200, RawHttp.exchange(a.port(), get("/auth?id=s")).status(), "the channel exists now");

            // delete-oldest-received (§5.4): a received message goes once more than min remain
            assertEquals(202, RawHttp.exchange(a.port(), post("/dorm?id=o", "one")).status());
            assertEquals(202, RawHttp.exchange(a.port(), post("/dorm?id=o", "two")).status());
            RawResponse one = RawHttp.exchange(a.port(), get("/sub?id=o"));
            assertEquals("one", one.text());
            assertEquals("two", RawHttp.exchange(a.port(), get("/sub?id=o")).text(), "\"one\" was removed on receipt");

            // message timeout (§5.6): expired messages are never delivered
            assertEquals(202, RawHttp.exchange(a.port(), post("/short?id=e", "brief")).status());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (RawHttp.exchange(a.port(), get("/ipoll?id=e")).status() != 304) {
                if (System.nanoTime() > deadline) throw new AssertionError("the message never expired");
            }
        }
    }

    @Test
    void s13_a_walk_across_client_kill_type_pubsub_loses_and_repeats_nothing() throws Exception {
        {
            java.util.List<String> published = new java.util.ArrayList<>();
            java.util.List<String> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            int total = 20;
            Thread walker = new Thread(() -> {
                try (RawHttp c = new RawHttp(b.port())) {
                    String request = get("/sub?id=w");
                    while (received.size() < total) {
                        c.send(request);
                        RawResponse r = c.read();
                        if (r.status() == 200) {
                            received.add(r.text());
                            request = next(r, "/sub?id=w");
                        }
                    }
                } catch (IOException e) {
                    received.add("failed: " + e);
                }
            });
            walker.start();
            awaitSubscribers(a, "w", 1);
            for (int i = 0; i < total; i++) {
                if (i == 5 || i == 12) redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
                String body = "m" + i;
                RawResponse r = publish(a, "w", body);
                assertEquals(true, r.status() == 201 || r.status() == 202, r.toString());
                published.add(body);
            }
            walker.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(published, received, "every buffered message once, in order");
        }
    }

    @Test
    void s13_a_redis_that_stops_answering_gives_503_then_serves_again() throws Exception {
        {
            assertEquals(202, publish(a, "z", "before").status());
            Process sleeper = new ProcessBuilder(ExternalPrograms.redisServer().resolveSibling("redis-cli").toString(), "-p", Integer.toString(redis.port()), "DEBUG", "SLEEP", "5")
                    .redirectErrorStream(true).start();
            // Once Redis sleeps, a publish waits for the command timeout (2 s) and gets 503;
            // one sent before redis-cli got through is still answered normally.
            RawResponse during = publish(a, "z", "during");
            while (during.status() == 202 && sleeper.isAlive()) during = publish(a, "z", "during");
            assertEquals(503, during.status(), during.toString());
            assertEquals("1", during.header("Retry-After"));
            assertEquals(true, sleeper.waitFor(20, TimeUnit.SECONDS));
            assertEquals(202, publish(a, "z", "after").status());
        }
    }

    @Test
    void s13_a_reload_keeps_the_redis_connections_and_the_waiters() throws Exception {
        try (RawHttp waiting = new RawHttp(b.port())) {
            waiting.send(get("/sub?id=h"));
            awaitSubscribers(a, "h", 1);
            b.signal("HUP");
            b.awaitStderr("[notice] configuration reloaded", 1);
            assertEquals(201, publish(a, "h", "after reload").status());
            assertEquals("after reload", waiting.read().text());
        }
    }

    @Test
    void s13_a_node_killed_with_sigkill_drops_out_of_the_count() throws Exception {
        try (ServerProcess c = node("t:"); RawHttp waiting = new RawHttp(c.port())) {
            waiting.send(get("/sub?id=k"));
            awaitSubscribers(a, "k", 1);
            c.process().destroyForcibly(); // SIGKILL: no goodbye to Redis
            assertEquals(true, c.process().waitFor(10, TimeUnit.SECONDS));
            awaitSubscribers(a, "k", 0);
            assertEquals(202, publish(a, "k", "nobody waits").status());
        }
    }

    @Test
    void s13_a_full_redis_refuses_the_publish_with_500_and_stores_nothing() throws Exception {
        assertEquals(202, publish(a, "oom", "fits").status());
        assertEquals("OK", redis.cli("CONFIG", "SET", "maxmemory", "1"));
        try {
            RawResponse full = publish(a, "oom", "does not fit");
            assertEquals(500, full.status(), full.toString());
        } finally {
            assertEquals("OK", redis.cli("CONFIG", "SET", "maxmemory", "0"));
        }
        RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=oom"));
        assertEquals("fits", first.text());
        assertEquals(304, RawHttp.exchange(b.port(), next(first, "/ipoll?id=oom")).status(), "nothing was stored");
    }

    @Test
    void s13_long_polls_arriving_while_their_channel_registers_go_to_redis_in_batches() throws Exception {
        int n = 60;
        List<RawHttp> waiting = new ArrayList<>();
        try {
            assertEquals("OK", redis.cli("CONFIG", "RESETSTAT"));
            // Redis holds the first registrations' scripts for 1 s (under the 2 s command
            // timeout); once a node has 16 in flight for the channel, the rest wait and go together.
            assertEquals("OK", redis.cli("CLIENT", "PAUSE", "1000", "WRITE"));
            for (int i = 0; i < n; i++) {
                RawHttp w = new RawHttp(b.port());
                waiting.add(w);
                w.send(get("/sub?id=fan"));
            }
            int polls = 0; // each channel info request is one script too
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            int seen = -1;
            while (seen != n && System.nanoTime() < deadline) {
                polls++;
                RawResponse info = RawHttp.exchange(a.port(), get("/pub?id=fan", "Accept: text/json"));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"subscribers\": (\\d+)").matcher(info.text());
                seen = info.status() == 200 && m.find() ? Integer.parseInt(m.group(1)) : -1;
            }
            assertEquals(n, seen, "node A counts node B's waiters");
            long scripts = commandCalls("time"); // every script asks Redis for the time once
            assertTrue(scripts - polls <= n / 2, (scripts - polls) + " scripts registered " + n + " long-polls");
            assertEquals(201, publish(a, "fan", "to all").status());
            for (RawHttp w : waiting) {
                RawResponse got = w.read();
                assertEquals(200, got.status(), got.toString());
                assertEquals("to all", got.text());
            }
            assertEquals(0, ChannelInfoJson.get(a.port(), "/pub?id=fan").orElseThrow().subscribers());
        } finally {
            for (RawHttp w : waiting) w.close();
        }
    }

    /** Polls {@code p}'s status page (JSON) until it has {@code want}; returns the last one seen. */
    private static String awaitStatus(ServerProcess p, String want) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline && !last.contains(want)) {
            last = RawHttp.exchange(p.port(), get("/status", "Accept: application/json")).text();
        }
        return last;
    }

    @Test
    void s13_status_and_metrics_count_this_nodes_waiters_on_redis_channels() throws Exception {
        try (RawHttp waiting = new RawHttp(b.port())) {
            waiting.send(get("/sub?id=stat"));
            awaitSubscribers(a, "stat", 1); // channel info counts every node's
            String onB = awaitStatus(b, "\"redis_subscribers\":1,");
            assertTrue(onB.contains(",\"subscribers\":1,") && onB.contains("\"redis_subscribers\":1,"), onB);
            String onA = awaitStatus(a, "\"redis_subscribers\":0,");
            assertTrue(onA.contains(",\"subscribers\":0,") && onA.contains("\"redis_subscribers\":0,"),
                    "each node reports the long-polls it holds: " + onA);
            String text = RawHttp.exchange(b.port(), get("/status")).text();
            assertTrue(text.contains("\nsubscribers: 1\n") && text.contains("\nredis subscribers: 1\n"), text);
            String metrics = RawHttp.exchange(b.port(), get("/metrics")).text();
            assertTrue(metrics.contains("\npushrelay_subscribers_waiting 1.0\n"), metrics);
            assertTrue(metrics.contains("\npushrelay_redis_subscribers_waiting 1.0\n"), metrics);
            assertEquals(201, publish(a, "stat", "done").status());
            assertEquals("done", waiting.read().text());
            assertTrue(awaitStatus(b, "\"redis_subscribers\":0,").contains(",\"subscribers\":0,"));
        }
    }

    private static int stored(ServerProcess p, String id) throws IOException {
        return ChannelInfoJson.get(p.port(), "/pub?id=" + id).orElseThrow().messages();
    }

    @Test
    void s13_min_message_recipients_counts_the_receipts_of_every_node() throws Exception {
        // protocol.md §5.5 across nodes: a message goes once received twice, wherever
        assertEquals(202, RawHttp.exchange(a.port(), post("/rec2?id=rc", "m0")).status());
        assertEquals(202, RawHttp.exchange(b.port(), post("/rec2?id=rc", "m1")).status());
        assertEquals(2, stored(a, "rc"), "m0 was received by nobody yet");
        assertEquals("m0", RawHttp.exchange(b.port(), get("/sub?id=rc")).text());
        assertEquals(202, RawHttp.exchange(a.port(), post("/rec2?id=rc", "m2")).status());
        assertEquals(3, stored(a, "rc"), "m0 received once, on B");
        assertEquals("m0", RawHttp.exchange(a.port(), get("/sub?id=rc")).text());
        assertEquals(202, RawHttp.exchange(b.port(), post("/rec2?id=rc", "m3")).status());
        assertEquals(3, stored(b, "rc"), "m0 received on B and on A: purged by the next publish");
        assertEquals("m1", RawHttp.exchange(a.port(), get("/sub?id=rc")).text());

        // the waiters a publish answers on every node are its receipts
        try (RawHttp onA = new RawHttp(a.port()); RawHttp onB = new RawHttp(b.port())) {
            RawResponse first = RawHttp.exchange(a.port(), post("/rec1?id=rl", "first"));
            assertEquals(202, first.status());
            onA.send(next(RawHttp.exchange(a.port(), get("/sub?id=rl")), "/sub?id=rl"));
            onB.send(next(RawHttp.exchange(b.port(), get("/sub?id=rl")), "/sub?id=rl"));
            awaitSubscribers(a, "rl", 2);
            assertEquals(1, stored(a, "rl"), "first received twice, but only a publish purges");
            assertEquals(201, RawHttp.exchange(b.port(), post("/rec1?id=rl", "live")).status());
            assertEquals("live", onA.read().text());
            assertEquals("live", onB.read().text());
            assertEquals(1, stored(a, "rl"), "first purged; the published message never by its own publish");
            assertEquals(202, RawHttp.exchange(a.port(), post("/rec1?id=rl", "next")).status());
            assertEquals(1, stored(b, "rl"), "live had 2 receipts >= 1: purged");
        }
        // without the directive nothing is purged (the other tests' /pub keeps its buffer)
    }

    /** Polls A's channel info until {@code n} wait; returns how many info requests (one script each) it took. */
    private static int countedScripts(ServerProcess p, String id, int n) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int polls = 1; System.nanoTime() < deadline; polls++) {
            if (ChannelInfoJson.get(p.port(), "/pub?id=" + id).map(ChannelInfoJson::subscribers).orElse(0) == n) return polls;
        }
        throw new AssertionError("never saw " + n + " subscribers on " + id);
    }

    @Test
    void s13_long_polls_leaving_together_leave_the_count_in_fewer_scripts_than_one_each() throws Exception {
        int n = 40;
        List<RawHttp> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RawHttp w = new RawHttp(b.port());
                waiting.add(w);
                w.send(get("/sub?id=bye"));
            }
            countedScripts(a, "bye", n);
            assertEquals("OK", redis.cli("CONFIG", "RESETSTAT"));
            for (RawHttp w : waiting) w.close(); // the clients go together
            int polls = countedScripts(a, "bye", 0); // node A sees every one of B's leave
            long cancels = commandCalls("evalsha") - polls;
            assertTrue(cancels < n, cancels + " scripts took " + n + " long-polls out of the count");
            assertEquals(202, publish(a, "bye", "nobody").status());
        } finally {
            for (RawHttp w : waiting) w.close();
        }
    }

    @Test
    void s13_a_long_poll_coming_back_for_its_next_message_registers_without_a_script() throws Exception {
        try (RawHttp w = new RawHttp(b.port())) {
            w.send(get("/sub?id=back"));
            awaitSubscribers(a, "back", 1);
            boolean plain = false;
            long sent = 0;
            // the plain path runs on an IO thread's own connection (opened by its first requests)
            for (int i = 0; i < 20 && !plain; i++) {
                assertEquals(201, publish(a, "back", "m" + i).status());
                RawResponse got = w.read();
                assertEquals("m" + i, got.text());
                assertEquals("OK", redis.cli("CONFIG", "RESETSTAT"));
                sent = System.nanoTime();
                w.send(next(got, "/sub?id=back"));
                int polls = countedScripts(a, "back", 1); // node A counts node B's returning waiter
                plain = commandCalls("time") == polls && commandCalls("hincrby") == 1;
            }
            assertTrue(plain, "no subscribe script for a returning long-poll: " + redis.cli("INFO", "commandstats"));
            ChannelInfoJson info = ChannelInfoJson.get(a.port(), "/pub?id=back").orElseThrow();
            // seconds since that re-registration, whatever the machine's load made them
            long since = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sent) + 1;
            assertTrue(info.requested() <= since, "its lookup is the channel's last request (" + since + " s ago): " + info);

            // a count that raced a publish sits under an older generation: never counted
            String nodeChannel = redis.cli("PUBSUB", "CHANNELS", "t:pushrelay:node:*").lines().findFirst().orElseThrow();
            String live = nodeChannel.substring("t:pushrelay:node:".length());
            assertEquals("7", redis.cli("HINCRBY", "t:pushrelay{back}:w", live + ":1", "7"));
            assertEquals(1, ChannelInfoJson.get(a.port(), "/pub?id=back").orElseThrow().subscribers());

            assertEquals(201, publish(a, "back", "after").status(), "the returning waiter counts for 201");
            assertEquals("after", w.read().text());
            assertEquals(202, publish(b, "back", "nobody").status(), "and the publish ended its count");
        }
    }

    /** CLIENT LIST lines of the connections pushrelay's IO threads opened (named pushrelay-io). */
    private static List<String> ioConnections() {
        List<String> out = new ArrayList<>();
        for (String line : redis.cli("CLIENT", "LIST").split("\\R")) {
            if (line.contains(" name=pushrelay-io ")) out.add(line);
        }
        return out;
    }

    @Test
    void s13_an_io_thread_sends_its_requests_scripts_on_its_own_connection() throws Exception {
        // The first request on an IO thread opens its connection (and goes through the shared
        // client meanwhile); the ones after it go out on that connection. The first IO thread
        // also subscribes to the announcements, so its waiters are woken on their own thread.
        // (A connection killed by another test is opened again at most once a second, by a request.)
        boolean sent = false;
        boolean listening = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; !(sent && listening) && System.nanoTime() < deadline; i++) {
            assertEquals(202, publish(a, "own", "m" + i).status());
            List<String> io = ioConnections();
            sent = io.stream().anyMatch(l -> l.contains(" cmd=evalsha "));
            listening = io.stream().anyMatch(l -> l.contains(" sub=1 "));
        }
        assertTrue(sent, "a publish went out on an IO thread's connection: " + redis.cli("CLIENT", "LIST"));
        assertTrue(listening, "an IO thread also listens for the announcements: " + redis.cli("CLIENT", "LIST"));
    }

    @Test
    void s13_an_io_threads_connection_killed_between_requests_is_replaced_and_nothing_is_lost() throws Exception {
        List<String> published = new ArrayList<>();
        List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        int total = 30;
        for (int i = 0; i < 50 && ioConnections().isEmpty(); i++) publish(a, "ownkill-warm", "w");
        Thread walker = new Thread(() -> {
            try (RawHttp c = new RawHttp(b.port())) {
                String request = get("/sub?id=ownkill");
                while (received.size() < total) {
                    c.send(request);
                    RawResponse r = c.read();
                    if (r.status() == 200) {
                        received.add(r.text());
                        request = next(r, "/sub?id=ownkill");
                    } else if (r.status() != 503) {
                        received.add("unexpected " + r.status());
                    }
                }
            } catch (IOException e) {
                received.add("failed: " + e);
            }
        });
        walker.start();
        awaitSubscribers(a, "ownkill", 1);
        int unavailable = 0;
        for (int i = 0; published.size() < total && i < 3 * total; i++) {
            if (i == 5 || i == 15) {
                for (String line : ioConnections()) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^id=(\\d+) ").matcher(line);
                    if (m.find()) redis.cli("CLIENT", "KILL", "ID", m.group(1));
                }
            }
            String body = "m" + i;
            RawResponse r = publish(a, "ownkill", body);
            if (r.status() == 503) { // only a publish already on the killed connection
                unavailable++;
                assertEquals("1", r.header("Retry-After"));
                continue;
            }
            assertEquals(true, r.status() == 201 || r.status() == 202, r.toString());
            published.add(body);
        }
        walker.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(published, received, "every buffered message once, in order");
        assertTrue(unavailable <= 4, unavailable + " publishes got 503 across two kills");
    }

    @Test
    void s13_each_node_hears_each_announcement_once() throws Exception {
        // Once a node's first IO thread has its own subscription confirmed, the node's shared
        // subscription leaves the notification channel: one listener per node, not two.
        // (A listener killed by another test is opened again by a request: publish on both.)
        String numsub = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; !numsub.endsWith("\n2") && System.nanoTime() < deadline; i++) {
            assertEquals(202, publish(a, "once", "a" + i).status());
            assertEquals(202, publish(b, "once", "b" + i).status());
            numsub = redis.cli("PUBSUB", "NUMSUB", "t:pushrelay:notify").strip();
        }
        assertEquals("t:pushrelay:notify\n2", numsub, "one subscription per node: " + redis.cli("CLIENT", "LIST"));
        // and a waiter on one node still gets a message published on the other, once
        assertEquals(202, publish(a, "once2", "first").status());
        RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=once2"));
        assertEquals("first", first.text());
        try (RawHttp waiting = new RawHttp(b.port())) {
            waiting.send(next(first, "/sub?id=once2"));
            awaitSubscribers(a, "once2", 1);
            assertEquals(201, publish(a, "once2", "heard").status());
            assertEquals("heard", waiting.read().text());
        }
    }

    /**
     * Only the IO threads' subscriptions are killed (the shared ones stay): the shared one
     * subscribes again and reads node B's waiter again, so a message published right then
     * still reaches it, once.
     */
    @Test
    void s13_an_io_threads_subscription_killed_alone_loses_nothing() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = "listenkill" + round;
            String numsub = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!numsub.endsWith("\n2") && System.nanoTime() < deadline) { // both IO threads listen
                publish(a, id + "-warm", "w");
                publish(b, id + "-warm", "w");
                numsub = redis.cli("PUBSUB", "NUMSUB", "t:pushrelay:notify").strip();
            }
            try (RawHttp waiting = new RawHttp(b.port())) {
                assertEquals(202, publish(a, id, "first").status());
                RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=" + id));
                assertEquals("first", first.text());
                waiting.send(next(first, "/sub?id=" + id));
                awaitSubscribers(a, id, 1);
                for (String line : ioConnections()) { // the listeners (sub=1) of both nodes
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^id=(\\d+) .* sub=1 ").matcher(line);
                    if (m.find()) redis.cli("CLIENT", "KILL", "ID", m.group(1));
                }
                assertEquals(201, publish(a, id, "second").status());
                RawResponse got = waiting.read();
                assertEquals(200, got.status(), got.toString());
                assertEquals("second", got.text());
                waiting.send(next(got, "/sub?id=" + id));
                awaitSubscribers(a, id, 1);
                assertEquals(201, publish(a, id, "third").status());
                assertEquals("third", waiting.read().text(), "nothing twice, nothing skipped");
            }
        }
    }

    /** Calls of one command since CONFIG RESETSTAT, from INFO commandstats (those inside scripts included). */
    private static long commandCalls(String command) {
        for (String line : redis.cli("INFO", "commandstats").split("\\R")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String v = line.substring(("cmdstat_" + command + ":calls=").length());
                return Long.parseLong(v.substring(0, v.indexOf(',')));
            }
        }
        return 0;
    }
}
