package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RedisCluster;
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

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §13, Redis Cluster: two pushrelay processes on a real three-master cluster on
 * loopback (redis-server --cluster-enabled yes, redis-cli --cluster create), configured with
 * one seed as nchan is. Cross-node delivery, the cursor walk, 201/202, first across nodes,
 * delete answering 410 on both nodes, EventSource across nodes; channels land on all three
 * masters, and announcements travel on shard channels only (nothing on classic pub/sub,
 * which a cluster broadcasts to every master). Node B names two seeds, the first one
 * unreachable, as nchan allows; two servers that are not one cluster are refused.
 */
@Tag(ExternalPrograms.REDIS)
@ExtendWith(ExternalPrograms.class)
class RedisClusterIT {

    private static RedisCluster cluster;
    private static ServerProcess a;
    private static ServerProcess b;

    static String conf(String... seeds) {
        StringBuilder servers = new StringBuilder();
        for (String s : seeds) servers.append("    nchan_redis_server ").append(s).append(";\n");
        return """
                upstream rds {
                %s}
                location /pub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_message_timeout 1h;
                    push_max_message_buffer_length 50;
                    nchan_redis_pass rds;
                }
                location /sub {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    nchan_redis_pass rds;
                }
                location /first {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    push_subscriber_concurrency first;
                    nchan_redis_pass rds;
                }
                location /pubsmall {
                    nchan_publisher;
                    nchan_channel_id $arg_id;
                    push_max_message_buffer_length 1;
                    nchan_redis_pass rds;
                }
                location /es {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    nchan_redis_pass rds;
                }
                """.formatted(servers);
    }

    @BeforeAll
    static void start() throws IOException {
        cluster = RedisCluster.start();
        a = ServerProcess.start(conf(cluster.url()));
        b = ServerProcess.start(conf("redis://127.0.0.1:" + unusedPort(), cluster.url())); // any seed that answers
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (a != null) a.close();
        if (b != null) b.close();
        if (cluster != null) cluster.close();
    }

    private static int unusedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void s13_several_servers_that_are_not_one_cluster_are_refused_naming_the_directive() throws Exception {
        try (RedisServer one = RedisServer.start(); RedisServer two = RedisServer.start();
             ServerProcess p = ServerProcess.start(conf(one.url(), two.url()))) {
            RawResponse r = publish(p, "x", "never stored");
            assertEquals(503, r.status(), r.toString());
            String log = p.stderr();
            assertTrue(log.contains("pushrelay.conf:3: nchan_redis_server: several servers in one upstream"), log);
            assertEquals("0", one.cli("DBSIZE"), "nothing written to either");
            assertEquals("0", two.cli("DBSIZE"));
        }
    }

    private static RawResponse publish(ServerProcess p, String id, String body) throws IOException {
        return RawHttp.exchange(p.port(), post("/pub?id=" + id, body));
    }

    private static void awaitSubscribers(ServerProcess p, String id, int n) throws IOException {
        Subscribers.await(p.port(), "/pub?id=" + id, n, Duration.ofSeconds(15));
    }

    private static String next(RawResponse r, String target) {
        return get(target, "If-Modified-Since: " + r.header("Last-Modified"), "If-None-Match: " + r.header("Etag"));
    }

    @Test
    void s13_cluster_cross_node_delivery_and_cursor_walk_on_channels_spread_over_every_master() throws Exception {
        for (int i = 0; i < 30; i++) {
            String id = "spread" + i;
            if (i % 10 == 0) { // a waiter on B, woken by a publish on A
                try (RawHttp waiting = new RawHttp(b.port())) {
                    waiting.send(get("/sub?id=" + id));
                    awaitSubscribers(a, id, 1);
                    assertEquals(201, publish(a, id, "m1-" + i).status(), "a waiter on the other node: 201");
                    RawResponse got = waiting.read();
                    assertEquals(200, got.status(), got.toString());
                    assertEquals("m1-" + i, got.text());
                }
            } else {
                assertEquals(202, publish(a, id, "m1-" + i).status());
            }
            assertEquals(202, publish(b, id, "m2-" + i).status(), "nobody waits: 202");
            RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=" + id));
            assertEquals("m1-" + i, first.text());
            RawResponse onA = RawHttp.exchange(a.port(), get("/sub?id=" + id));
            assertEquals(first.header("Etag"), onA.header("Etag"), "the same cursor on both nodes");
            assertEquals(first.header("Last-Modified"), onA.header("Last-Modified"));
            assertEquals("m2-" + i, RawHttp.exchange(a.port(), next(first, "/sub?id=" + id)).text());
        }
        for (int port : cluster.ports()) {
            long keys = Long.parseLong(cluster.cli(port, "DBSIZE"));
            assertTrue(keys > 0, "master " + port + " holds channels: " + keys);
            assertFalse(cluster.cli(port, "PUBSUB", "CHANNELS").contains("pushrelay"),
                    "no classic pub/sub channel (broadcast to every master) on " + port);
        }
        boolean sharded = false;
        for (int port : cluster.ports()) sharded |= cluster.cli(port, "PUBSUB", "SHARDCHANNELS").contains("pushrelay:notify{");
        assertTrue(sharded, "announcements on shard channels");
    }

    @Test
    void s13_cluster_delete_answers_410_on_both_nodes_and_first_is_judged_across_nodes() throws Exception {
        try (RawHttp onA = new RawHttp(a.port()); RawHttp onB = new RawHttp(b.port())) {
            assertEquals(202, publish(a, "del", "kept").status());
            RawResponse first = RawHttp.exchange(b.port(), get("/sub?id=del"));
            onA.send(next(first, "/sub?id=del"));
            onB.send(next(first, "/sub?id=del"));
            awaitSubscribers(a, "del", 2);
            assertEquals(200, RawHttp.exchange(b.port(), RawHttp.request("DELETE", "/pub?id=del", null)).status());
            assertEquals(410, onA.read().status());
            assertEquals(410, onB.read().status());
            assertEquals(404, RawHttp.exchange(a.port(), get("/pub?id=del")).status(), "gone on every node");
        }
        try (RawHttp firstA = new RawHttp(a.port())) {
            firstA.send(get("/first?id=fst"));
            awaitSubscribers(b, "fst", 1);
            assertEquals(409, RawHttp.exchange(b.port(), get("/first?id=fst")).status());
            assertEquals(201, publish(b, "fst", "to A").status());
            assertEquals("to A", firstA.read().text());
        }
    }

    @Test
    void s13_cluster_pubsub_connections_killed_on_every_master_resubscribe_and_catch_waiters_up() throws Exception {
        try (RawHttp waiting = new RawHttp(b.port())) {
            assertEquals(202, publish(a, "cut", "before").status());
            RawResponse m1 = RawHttp.exchange(b.port(), get("/sub?id=cut"));
            waiting.send(next(m1, "/sub?id=cut"));
            awaitSubscribers(a, "cut", 1);
            for (int port : cluster.ports()) cluster.cli(port, "CLIENT", "KILL", "TYPE", "pubsub");
            int status = publish(a, "cut", "during").status();
            assertTrue(status == 201 || status == 202, "published while B resubscribes: " + status);
            RawResponse got = waiting.read();
            assertEquals(200, got.status(), got.toString());
            assertEquals("during", got.text(), "caught up from its cursor, once");
            try (RawHttp again = new RawHttp(b.port())) {
                again.send(next(got, "/sub?id=cut"));
                awaitSubscribers(a, "cut", 1);
                assertEquals(201, publish(a, "cut", "after").status());
                assertEquals("after", again.read().text(), "announcements flow again");
            }
        }
    }

    @Test
    void s14_5_cluster_a_gap_made_on_one_node_is_signalled_on_the_other() throws Exception {
        String first;
        try (EventStream s = EventStream.open(b.port(), get("/es?id=cgap", "Accept: text/event-stream"))) {
            awaitSubscribers(a, "cgap", 1);
            assertEquals(201, RawHttp.exchange(a.port(), post("/pubsmall?id=cgap", "c1")).status());
            String ev = s.nextEvent();
            first = ev.substring(4, ev.indexOf('\n'));
            // the stream registers again after c1 as it is written: counted before it closes,
            // or its close could be counted before that registration lands (protocol.md §13)
            awaitSubscribers(a, "cgap", 1);
        }
        awaitSubscribers(a, "cgap", 0); // node B has counted the closed stream off
        for (int i = 2; i <= 3; i++) assertEquals(202, RawHttp.exchange(a.port(), post("/pubsmall?id=cgap", "c" + i)).status());
        RawResponse c2 = RawHttp.exchange(b.port(), get("/sub?id=cgap")); // only c3 is stored
        assertEquals("c3", c2.text());
        try (EventStream s = EventStream.open(b.port(), get("/es?id=cgap", "Accept: text/event-stream",
                "Last-Event-ID: " + first))) {
            String gap = s.nextEvent();
            assertTrue(gap.startsWith("event: pushrelay-gap\ndata: "), gap);
            assertTrue(s.nextEvent().contains("data: c3\n"));
        }
    }

    /**
     * Streams that walk a stored buffer register once per message; the last of those
     * registrations answers the last stored message and the next one waits. When Redis
     * answered one of them before its stage came back to the stream (the Redis client's
     * thread quicker than the IO thread), the stream kept that finished registration as its
     * wait and a close no longer counted it off: the channel counted a subscriber nobody
     * had until the next publish (a 201 for nobody). Many streams on both nodes, and
     * long-polls beside them, each counted exactly, then none once they left.
     */
    @Test
    void s13_cluster_streams_and_long_polls_that_leave_are_counted_off_exactly() throws Exception {
        int streams = 16;
        int polls = 6;
        for (int i = 1; i <= 12; i++) assertEquals(202, publish(a, "churn", "h" + i).status());
        for (int cycle = 0; cycle < 3; cycle++) {
            List<AutoCloseable> open = new ArrayList<>();
            try {
                for (int i = 0; i < streams; i++) {
                    EventStream s = EventStream.open((i % 3 == 0 ? a : b).port(),
                            get("/es?id=churn", "Accept: text/event-stream"));
                    open.add(s);
                    assertEquals(200, s.head().status());
                }
                for (int i = 0; i < polls; i++) {
                    RawHttp w = new RawHttp((i % 2 == 0 ? a : b).port());
                    open.add(w);
                    w.send(get("/sub?id=churnlp" + cycle));
                }
                // every stream walked the buffer and waits; every long-poll waits
                awaitSubscribers(a, "churn", streams);
                awaitSubscribers(b, "churnlp" + cycle, polls);
            } finally {
                for (AutoCloseable c : open) c.close();
            }
            awaitSubscribers(a, "churn", 0);
            awaitSubscribers(b, "churnlp" + cycle, 0);
            assertEquals(202, publish(b, "churn", "c" + cycle).status(), "cycle " + cycle + ": nobody waits");
            assertEquals(202, publish(a, "churnlp" + cycle, "x").status(), "cycle " + cycle + ": nobody waits");
        }
    }

    @Test
    void s13_cluster_an_eventsource_on_one_node_follows_the_other() throws Exception {
        try (EventStream s = EventStream.open(b.port(), get("/es?id=stream", "Accept: text/event-stream"))) {
            assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
            for (int i = 1; i <= 3; i++) {
                awaitSubscribers(a, "stream", 1);
                assertEquals(201, publish(a, "stream", "e" + i).status());
                String ev = s.nextEvent();
                assertTrue(ev.contains("data: e" + i + "\n"), ev);
            }
        }
    }
}
