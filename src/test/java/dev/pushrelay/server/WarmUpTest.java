package dev.pushrelay.server;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.Settings;
import dev.pushrelay.state.StateFile;
import dev.pushrelay.store.StoreStats;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up a server runs on itself before it listens (README "Performance: the JVM"). */
class WarmUpTest {

    @TempDir
    Path dir;

    /**
     * Run while a real server with an access log, a status page and a state file is up (a
     * stronger case than before it binds, as Main runs it): the real server sees none of it.
     */
    @Test
    void warm_up_drives_every_push_path_and_leaves_nothing_in_the_real_server() throws Exception {
        Path conf = dir.resolve("pushrelay.conf");
        Files.writeString(conf, """
                pushrelay_state_path push.state;
                http {
                    server {
                        listen 127.0.0.1:0;
                        access_log access.log;
                        location /pub { set $push_channel_id $arg_id; push_publisher; }
                        location /sub { set $push_channel_id $arg_id; push_subscriber; }
                        location = /status { pushrelay_status; access_log off; }
                    }
                }
                """);
        Settings settings = ConfLoader.load(conf);
        Path accessLog = dir.resolve("access.log");
        WarmUp.Result result;
        try (PushServer server = PushServer.start(settings, Clock.systemUTC())) {
            // ended by the count (a deadline far enough for a loaded machine): a delete every 64 rounds
            result = WarmUp.run(Duration.ofSeconds(60), 2000, Clock.systemUTC());

            assertNull(result.failure(), result.toString());
            assertEquals(0, result.unexpected(), result.toString());
            assertTrue(result.requests() >= 2000, "every kind of request, several times: " + result);
            assertNotNull(result.scratch());
            assertTrue(result.scratch().getPort() != server.port());
            assertThrows(ConnectException.class, () -> new Socket(result.scratch().getAddress(), result.scratch().getPort()).close(),
                    "the scratch server is closed");

            assertEquals(new StoreStats(0, 0, 0, 0, server.store().stats().budgetBytes()), server.store().stats());
            RawResponse status = RawHttp.exchange(server.port(), RawHttp.get("/status"));
            assertEquals(200, status.status());
            for (String line : new String(status.body(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("total") || line.startsWith("channels") || line.startsWith("subscribers")
                        || line.startsWith("stored messages")) {
                    assertTrue(line.endsWith(": 0"), "nothing counted by the real server: " + new String(status.body(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            assertEquals(404, RawHttp.exchange(server.port(), RawHttp.get("/pub?id=w0-0")).status());
            server.stop();
        }
        // the access log holds the one request above (404), nothing of the warm-up
        String log = Files.readString(accessLog);
        assertEquals(1, log.lines().count(), log);
        assertTrue(log.contains("GET /pub?id=w0-0 HTTP/1.1\" 404"), log);
        assertEquals(0, StateFile.load(dir.resolve("push.state")).channels().size());
    }

    @Test
    void warm_up_ends_at_its_budget() {
        WarmUp.Result result = WarmUp.run(Duration.ofMillis(200), Long.MAX_VALUE, Clock.systemUTC());
        assertNull(result.failure(), result.toString());
        // the round under way at the budget's end may take up to a second more (then it is cut)
        assertTrue(result.traffic().toMillis() < 200 + 1000 + 2000, result.toString());
        // the wait for the compilers is half the budget at most (and a last look at them)
        assertTrue(result.settle().toMillis() < 100 + 1000, result.toString());
        assertTrue(result.note().startsWith("[notice] warm-up: " + result.requests() + " requests in "), result.note());
    }

    /** The AOT cache's training run stops at its count, the JIT's queue or not, long before its cap. */
    @Test
    void training_stops_at_its_request_count_not_its_time_cap() {
        long t0 = System.nanoTime();
        WarmUp.Result result = WarmUp.train(3000, Duration.ofSeconds(120), Clock.systemUTC());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertNull(result.failure(), result.toString());
        assertEquals(0, result.unexpected(), result.toString());
        assertTrue(result.requests() >= 3000, "the count reached: " + result);
        // a check every 10 ms on two pipelined clients: a few rounds past the count at most
        assertTrue(result.requests() < 3000 + 2000, "stopped near the count: " + result);
        assertEquals(Duration.ZERO, result.settle(), "no wait for the JIT: " + result);
        assertTrue(took.compareTo(Duration.ofSeconds(120)) < 0, "ended by the count, not the cap: " + took);
    }
}
