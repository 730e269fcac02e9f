package dev.pushrelay.it.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.Ports;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pushrelay.js (test-clients/web) in Debian's headless Chromium, driven by
 * test-clients/browser/pushrelay-test.mjs, against a pushrelay process: each transport forced
 * (protocol.md §4, §14.2, §14.6), the default order (WebSocket), the fallback where
 * {@code nchan_subscriber} refuses WebSocket or WebSocket and EventSource (§14.7), one cursor
 * carried across transports (§14.1), the gap signal (§14.5), a deleted channel, and a server
 * restart with a state file: every subscription gets every message once, in order. And
 * pushrelay.js's cross-tab sharing: the tabs of one browser hold one connection, and another tab
 * takes it over from its own cursor when the leader's tab closes.
 */
@Tag(ExternalPrograms.CHROMIUM)
@ExtendWith(ExternalPrograms.class)
class PushRelayJsIT {

    private static final Path DIR = ClientProcess.OUT.resolve("pushrelay-js");
    private static final Path RESULT = DIR.resolve("result.json");
    private static final String TOKEN = "\\d+:\\d+";

    /** The page's origin serves pushrelay.js; /sse and /lp refuse what nchan_subscriber does not name. */
    private static String conf() {
        return """
                pushrelay_state_path state;
                log_format subscribes '$request_method $uri $arg_id $status';
                access_log access.log subscribes;
                location / { root %s; }
                location /publish {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    push_store_messages on;
                    push_max_message_buffer_length 3;
                    push_message_timeout 2h;
                }
                location /activity {
                    push_subscriber;
                    push_subscriber_concurrency broadcast;
                    set $push_channel_id $arg_id;
                    pushrelay_cursor_gap_header on;
                }
                location /sse { nchan_subscriber eventsource longpoll; nchan_channel_id $arg_id; }
                location /lp { nchan_subscriber longpoll; nchan_channel_id $arg_id; }
                """.formatted(ClientProcess.ROOT.resolve("test-clients/web"));
    }

    @Test
    void s14_pushrelay_js_on_every_transport_falls_back_carries_its_cursor_and_survives_a_restart() throws Exception {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Files.createDirectories(DIR);
        for (String f : List.of("result.json", "result.json.restarted", "state", "pushrelay.pid")) Files.deleteIfExists(DIR.resolve(f));
        Files.writeString(DIR.resolve("pushrelay.conf"), conf());
        int port = Ports.free();
        Process server = startServer(port, "1");
        try (ClientProcess run = ClientProcess.start("pushrelay-js", Map.of("CHROMIUM", chromium),
                List.of(node, "test-clients/browser/pushrelay-test.mjs", "http://127.0.0.1:" + port, RESULT.toString()))) {
            awaitLine(run, "RESTART", Duration.ofMinutes(2));
            server.destroy(); // SIGTERM: a graceful stop, the state file keeps the messages (README)
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server stopped");
            assertEquals(0, server.exitValue());
            server = startServer(port, "2");
            Files.writeString(DIR.resolve("result.json.restarted"), "");
            run.expectExit(0, Duration.ofMinutes(1));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        JsonNode r = new ObjectMapper().readTree(RESULT.toFile());

        for (String t : List.of("websocket", "eventsource", "long-poll")) {
            JsonNode s = r.get("forced").get(t);
            assertEquals(List.of("one", "two\nlines", "three", "four"), texts(s), t);
            assertEquals("[\"" + t + "\"]", s.get("transports").toString(), t);
            assertIds(s, t);
            assertFalse(s.get("running").asBoolean());
        }
        assertEquals(List.of("d1"), texts(r.get("default")));
        assertEquals("[\"websocket\"]", r.get("default").get("transports").toString());

        // the fallback, and a reconnect that skips what the location refused
        JsonNode sse = r.get("fallbackSse");
        assertEquals(List.of("f1", "f2", "f3"), texts(sse));
        assertEquals("[\"eventsource\"]", sse.get("transports").toString());
        assertEquals("[\"websocket\"]", sse.get("refused").toString());
        JsonNode lp = r.get("fallbackLp");
        assertEquals(List.of("f1", "f2", "f3"), texts(lp));
        assertEquals("[\"long-poll\"]", lp.get("transports").toString());
        assertEquals("[\"websocket\",\"eventsource\"]", lp.get("refused").toString());
        assertEquals(List.of("e1"), texts(r.get("fallbackEmpty")));
        assertEquals("[\"long-poll\"]", r.get("fallbackEmpty").get("transports").toString());

        // one cursor across five subscriptions, each on another transport: m1..m10 once, in order
        List<String> across = new ArrayList<>();
        String[] legs = {"websocket", "eventsource", "long-poll", "websocket", "interval-poll"};
        for (int i = 0; i < legs.length; i++) {
            JsonNode leg = r.get("across").get(i);
            assertEquals("[\"" + legs[i] + "\"]", leg.get("transports").toString(), "leg " + i);
            assertIds(leg, legs[i]);
            across.addAll(texts(leg));
        }
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"), across);

        // a cursor at g1 with g1..g5 published and 3 stored: told that g2 was missed, then g3..g5
        JsonNode gap = r.get("gap");
        String first = gap.get("first").asText();
        assertTrue(first.matches(TOKEN), first);
        for (String t : List.of("websocket", "eventsource", "long-poll")) {
            JsonNode s = gap.get(t);
            assertEquals(List.of("g3", "g4", "g5"), texts(s), t);
            assertEquals(1, s.get("gaps").size(), t + ": " + s);
            String missed = s.get("gaps").get(0).get(0).asText();
            assertTrue(missed.matches(TOKEN) && !missed.equals(first), t + ": " + missed);
            assertEquals(0, s.get("gaps").get(0).get(1).asInt(), t + ": the gap comes before the next message");
        }

        for (String t : List.of("websocket", "eventsource")) {
            JsonNode s = r.get("gone").get(t);
            assertEquals(200, s.get("deleteStatus").asInt());
            assertTrue(s.get("gone").asBoolean(), t);
            assertFalse(s.get("running").asBoolean(), t);
            assertEquals(List.of("last words"), texts(s));
        }

        for (String t : List.of("websocket", "eventsource", "long-poll")) {
            JsonNode s = r.get("restart").get(t);
            assertEquals(List.of("r1", "r2", "r3"), texts(s), t + ": " + s);
            assertEquals("[\"" + t + "\"]", s.get("transports").toString(), t);
            assertIds(s, t);
        }
    }

    @Test
    void pushrelay_js_tabs_sharing_one_connection_get_every_message_once_and_take_over_when_the_leader_closes()
            throws Exception {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Files.createDirectories(DIR);
        Path result = DIR.resolve("share.json");
        for (String f : List.of("share.json", "state", "pushrelay.pid", "access.log")) Files.deleteIfExists(DIR.resolve(f));
        Files.writeString(DIR.resolve("pushrelay.conf"), conf());
        int port = Ports.free();
        Process server = startServer(port, "share");
        try (ClientProcess run = ClientProcess.start("pushrelay-js-share", Map.of("CHROMIUM", chromium),
                List.of(node, "test-clients/browser/share-test.mjs", "http://127.0.0.1:" + port, result.toString()))) {
            run.expectExit(0, Duration.ofMinutes(2));
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        JsonNode r = new ObjectMapper().readTree(result.toFile());

        // the server saw one subscriber at every point, with two and then three tabs following
        assertEquals(5, r.get("counts").size(), r.get("counts").toString());
        r.get("counts").forEach(c -> assertEquals(1, c.get(1).asInt(), c.toString()));
        // and was asked twice in all: by the first leader and by the tab that took over
        List<String> subscribes = Files.readAllLines(DIR.resolve("access.log")).stream()
                .filter(line -> line.startsWith("GET /activity shared ")).toList();
        assertEquals(2, subscribes.size(), subscribes.toString());

        JsonNode a = r.get("a");
        assertEquals(List.of("s1", "s2", "s3", "s4"), texts(a));
        assertEquals("[\"leader\"]", a.get("roles").toString());
        messagesRelayed(a, false);
        // b and c: every message once, in order, though a got s4 without relaying it and closed
        JsonNode b = r.get("b");
        JsonNode c = r.get("c");
        assertEquals(List.of("s1", "s2", "s3", "s4", "s5"), texts(b), b.toString());
        assertEquals(List.of("s1", "s2", "s3", "s4", "s5"), texts(c), c.toString());
        JsonNode leader = b.get("role").asText().equals("leader") ? b : c;
        JsonNode follower = leader == b ? c : b;
        assertEquals("[\"follower\",\"leader\"]", leader.get("roles").toString());
        assertEquals("[\"follower\"]", follower.get("roles").toString());
        assertEquals("follower", follower.get("role").asText());
        for (JsonNode t : List.of(b, c)) {
            assertEquals(0, t.get("gaps").size(), t.toString());
            assertTrue(t.get("messages").get(0).get(2).asBoolean(), "s1 was relayed by a: " + t);
            assertEquals(t.get("messages").get(4).get(1).asText(), t.get("cursor").asText());
            for (JsonNode m : t.get("messages")) assertTrue(m.get(1).asText().matches(TOKEN), t.toString());
        }
        // the new leader fetched s4 (from the buffer) and s5 itself, from its own cursor; the follower got them relayed
        assertFalse(leader.get("messages").get(3).get(2).asBoolean(), leader.toString());
        assertFalse(leader.get("messages").get(4).get(2).asBoolean(), leader.toString());
        assertTrue(follower.get("messages").get(3).get(2).asBoolean(), follower.toString());
        assertTrue(follower.get("messages").get(4).get(2).asBoolean(), follower.toString());
        // the ids are the same in every tab: one sequence
        assertEquals(a.get("messages").get(3).get(1), b.get("messages").get(3).get(1));
        assertEquals(b.get("messages").get(4).get(1), c.get("messages").get(4).get(1));
    }

    private static void messagesRelayed(JsonNode tab, boolean relayed) {
        for (JsonNode m : tab.get("messages")) assertEquals(relayed, m.get(2).asBoolean(), tab.toString());
    }

    /** Starts the server on {@code port} and returns once it says it listens (a start can be slow on a busy machine). */
    private static Process startServer(int port, String run) throws IOException {
        Path err = DIR.resolve("server-" + run + ".err");
        Path out = DIR.resolve("server-" + run + ".out");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.pushrelay.Main",
                "-c", DIR.resolve("pushrelay.conf").toString(), "--listen", "127.0.0.1:" + port,
                "--warm-up", "0"); // as ServerProcess: the warm-up is WarmUpTest's, and under load it outlasts a step
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(out).contains("listening on 127.0.0.1:" + port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("server " + run + " did not listen on " + port + ":\n" + Files.readString(err));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return p;
    }

    /** Polls the client's output until it prints {@code line}. */
    private static void awaitLine(ClientProcess run, String line, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!run.lines().contains(line)) {
            if (!run.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("never printed " + line + "\n" + run.describe());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static List<String> texts(JsonNode seen) {
        List<String> texts = new ArrayList<>();
        seen.get("messages").forEach(m -> texts.add(m.get(0).asText()));
        return texts;
    }

    /** Every message came by {@code transport} with a token id, and the cursor is the last one's. */
    private static void assertIds(JsonNode seen, String transport) {
        JsonNode messages = seen.get("messages");
        for (JsonNode m : messages) {
            assertTrue(m.get(1).asText().matches(TOKEN), seen.toString());
            assertEquals(transport, m.get(2).asText());
        }
        assertEquals(messages.get(messages.size() - 1).get(1).asText(), seen.get("cursor").asText());
    }
}
