package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RedisCluster;
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
import java.util.concurrent.locks.LockSupport;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §13, Redis Cluster faults: two pushrelay processes on a real cluster of three
 * masters with one replica each (six redis-servers on loopback). A channel with an
 * EventSource on node B and a long-poll parked on node A, published on both nodes, goes
 * through (1) {@code CLUSTER FAILOVER} on its master's replica, (2) its master killed with
 * SIGKILL so the replica is promoted, (3) its slot migrated to another master (SETSLOT
 * IMPORTING/MIGRATING, MIGRATE, a publish while the source answers ASK, SETSLOT NODE).
 * Each asserts: the stream receives exactly
 * what the channel's buffer holds, in order, once; the parked long-poll gets the first
 * message published after the fault; publishes are answered 503 (with Retry-After) only
 * while the slot has no master or until the nodes learned its new one (bounded); and
 * afterwards every node counts exactly the waiters there are (none stranded).
 */
@Tag(ExternalPrograms.REDIS)
@ExtendWith(ExternalPrograms.class)
class RedisClusterFailoverIT {

    private static final String ES = "Accept: text/event-stream";
    /** How long after the cluster agrees on a new master a node may still answer 503. */
    private static final long CATCH_UP_MS = 5_000;

    private static RedisCluster cluster;
    private static ServerProcess a;
    private static ServerProcess b;

    static String conf(String seed) {
        return """
                upstream rds {
                    nchan_redis_server %s;
                }
                location /pub {
                    nchan_publisher;
                    nchan_channel_id $arg_id;
                    push_message_timeout 1h;
                    push_max_message_buffer_length 100;
                    nchan_redis_pass rds;
                }
                location /sub {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    nchan_redis_pass rds;
                }
                location /poll {
                    set $push_channel_id $arg_id;
                    push_subscriber interval-poll;
                    nchan_redis_pass rds;
                }
                location /es {
                    nchan_subscriber;
                    nchan_channel_id $arg_id;
                    nchan_redis_pass rds;
                }
                """.formatted(seed);
    }

    @BeforeAll
    static void start() throws IOException {
        cluster = RedisCluster.start(1);
        a = ServerProcess.start(conf(cluster.url()));
        b = ServerProcess.start(conf(cluster.url()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (a != null) a.close();
        if (b != null) b.close();
        if (cluster != null) cluster.close();
    }

    private interface Fault {
        /** Breaks the channel's slot; returns when the cluster agrees again. */
        void on(int slot, int master) throws IOException;
    }

    @Test
    void s13_cluster_failover_by_the_replica_loses_nothing_and_strands_no_waiter() throws Exception {
        survives("fo", (slot, master) -> cluster.failover(master), 0);
    }

    @Test
    void s13_cluster_a_killed_master_whose_replica_takes_over_loses_nothing_and_strands_no_waiter() throws Exception {
        survives("kill", (slot, master) -> {
            int replica = cluster.replicaOf(master);
            cluster.kill(master);
            RawResponse down = RawHttp.exchange(a.port(), post("/pub?id=" + channel, "while down"));
            assertEquals(503, down.status(), "no master for the slot: " + down);
            assertEquals("1", down.header("Retry-After"));
            cluster.awaitPromoted(replica);
        }, CATCH_UP_MS);
    }

    @Test
    void s13_cluster_a_slot_migrated_to_another_master_loses_nothing_and_strands_no_waiter() throws Exception {
        survives("mig", (slot, master) -> {
            int to = cluster.masters().stream().filter(m -> m != master).findFirst().orElseThrow();
            // published while the keys are at the target and the slot still the source's (ASK)
            cluster.migrateSlot(slot, to, () -> publishOk(a, channel, "while moving"));
        }, 0);
    }

    /** The channel the running test uses (a test at a time). */
    private static String channel;

    private static void survives(String prefix, Fault fault, long max503Ms) throws Exception {
        channel = channelWithReplica(prefix);
        String id = channel;
        int slot = cluster.slotOfChannel(id);
        int master = cluster.masterOf(slot);
        List<String> published = new ArrayList<>();
        try (EventStream es = EventStream.open(b.port(), get("/es?id=" + id, ES))) {
            assertEquals(200, es.head().status());
            Subscribers.await(a.port(), "/pub?id=" + id, 1, Duration.ofSeconds(15));
            for (int i = 1; i <= 4; i++) {
                String body = "m" + i;
                publishOk(i % 2 == 0 ? a : b, id, body);
                published.add(body);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) got.add(data(es.nextEvent()));
            assertEquals(published, got, "before the fault");
            RawResponse newest = walk(id).get(3);
            try (RawHttp parked = new RawHttp(a.port())) {
                parked.send(get("/sub?id=" + id, "If-Modified-Since: " + newest.header("Last-Modified"),
                        "If-None-Match: " + newest.header("Etag")));
                Subscribers.await(b.port(), "/pub?id=" + id, 2, Duration.ofSeconds(15));

                fault.on(slot, master);
                if (prefix.equals("mig")) published.add("while moving");

                long unavailableMs = publishAfterFault(a, id, "m5", max503Ms);
                published.add("m5");
                RawResponse woken = parked.read();
                assertEquals(200, woken.status(), "the long-poll parked before the fault: " + woken);
                assertEquals(published.get(4), woken.text(), "the first message after the fault");
                publishAfterFault(b, id, "m6", max503Ms); // node B's first request since the fault
                published.add("m6");
                for (int i = 7; i <= 9; i++) {
                    String body = "m" + i;
                    publishOk(i % 2 == 0 ? a : b, id, body);
                    published.add(body);
                }
                System.out.printf("%s: slot %d of master %d; the first publish after the cluster agreed succeeded after %d ms%n",
                        prefix, slot, master, unavailableMs);
            }
            while (got.size() < published.size()) got.add(data(es.nextEvent()));
            publishOk(a, id, "end");
            published.add("end");
            got.add(data(es.nextEvent()));
            assertEquals(published, got, "the stream: every message once, in order");
            List<String> buffer = new ArrayList<>();
            for (RawResponse r : walk(id)) buffer.add(r.text());
            assertEquals(buffer, got, "the stream got exactly what the buffer holds");
            // no waiter stranded or counted twice: the stream's registration only, on both nodes
            Subscribers.await(a.port(), "/pub?id=" + id, 1, Duration.ofSeconds(15));
            Subscribers.await(b.port(), "/pub?id=" + id, 1, Duration.ofSeconds(15));
        }
        Subscribers.await(a.port(), "/pub?id=" + id, 0, Duration.ofSeconds(15));
    }

    /** A channel id whose slot's master has a live replica (an earlier test may have killed one). */
    private static String channelWithReplica(String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + i;
            if (cluster.replicaOf(cluster.masterOf(cluster.slotOfChannel(id))) >= 0) return id;
        }
    }

    private static void publishOk(ServerProcess p, String id, String body) throws IOException {
        int status = RawHttp.exchange(p.port(), post("/pub?id=" + id, body)).status();
        assertTrue(status == 201 || status == 202, "publish " + body + ": " + status);
    }

    /**
     * Publishes once the cluster agrees on the slot's master: 503 (with Retry-After) is
     * allowed for {@code max503Ms} while the node learns the new topology, nothing else.
     *
     * @return how long until it succeeded
     */
    private static long publishAfterFault(ServerProcess p, String id, String body, long max503Ms) throws IOException {
        long start = System.nanoTime();
        while (true) {
            RawResponse r = RawHttp.exchange(p.port(), post("/pub?id=" + id, body));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (r.status() == 201 || r.status() == 202) return ms;
            assertEquals(503, r.status(), "publish " + body + ": " + r);
            assertEquals("1", r.header("Retry-After"));
            assertTrue(ms <= max503Ms, "503 for " + ms + " ms after the cluster had a master again: " + r);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** The channel's buffer, oldest first, walked with the cursor by interval-polls on node A. */
    private static List<RawResponse> walk(String id) throws IOException {
        List<RawResponse> out = new ArrayList<>();
        RawResponse r = RawHttp.exchange(a.port(), get("/poll?id=" + id));
        while (r.status() == 200) {
            out.add(r);
            assertNotNull(r.header("Etag"));
            r = RawHttp.exchange(a.port(), get("/poll?id=" + id, "If-Modified-Since: " + r.header("Last-Modified"),
                    "If-None-Match: " + r.header("Etag")));
        }
        assertEquals(304, r.status(), r.toString());
        return out;
    }

    private static String data(String event) {
        assertNotNull(event, "the stream ended");
        int d = event.indexOf("data: ");
        assertTrue(d >= 0, event);
        return event.substring(d + 6, event.indexOf('\n', d));
    }
}
