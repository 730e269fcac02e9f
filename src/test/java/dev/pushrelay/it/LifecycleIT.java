package dev.pushrelay.it;

import dev.pushrelay.Main;
import dev.pushrelay.testing.ChannelInfoJson;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerProcess;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop, reload and restart of a real pushrelay process, driven by signals and by
 * {@code pushrelay -s} as an operator would (README "Operating pushrelay: stop, reload,
 * restart"; protocol.md §10).
 */
class LifecycleIT {

    static String conf(int maxMessages, String extra) {
        return extra + Confs.pubSub("push_max_message_buffer_length " + maxMessages + ";", "");
    }

    /** The info of a channel, empty when it does not exist. */
    static Optional<ChannelInfoJson> info(ServerProcess p, String channel) throws IOException {
        return ChannelInfoJson.get(p.port(), "/pub?id=" + channel);
    }

    static void awaitSubscribers(ServerProcess p, String channel, int n) throws IOException {
        p.awaitSubscribers("/pub?id=" + channel, n);
    }

    /** {@code pushrelay ARGS} in this JVM: exit status, then what it wrote to stderr. */
    static Object[] cli(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Object[] {cl.execute(args), err.toString()};
    }

    static String conf(ServerProcess p) {
        return p.dir().resolve("pushrelay.conf").toString();
    }

    /** One message response: its cursor headers and body, as a client walks them. */
    record Step(String lastModified, String etag, String body) {
        static Step of(RawResponse r) {
            assertEquals(200, r.status(), r.toString());
            return new Step(r.header("Last-Modified"), r.header("Etag"), r.text());
        }

        String next(String channel) {
            return get("/sub?id=" + channel, "If-Modified-Since: " + lastModified, "If-None-Match: " + etag);
        }
    }

    /**
     * A JVM started with HUP ignored (nohup) never takes it over, so a reload would do
     * nothing, silently: the server says so at start (README "Operating pushrelay").
     */
    @Test
    void a_server_started_under_nohup_warns_that_it_cannot_reload(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pushrelay.conf"), conf(10, ""));
        try (ServerProcess p = ServerProcess.startUnder(List.of("nohup"), dir.resolve("pushrelay.conf"), dir.resolve("stderr.log"))) {
            p.awaitStderr("[warn] SIGHUP stays ignored", 1);
            assertTrue(p.stderr().contains("reload needs a restart"), p.stderr());
            assertFalse(p.stderr().contains("SIGTERM"), "nohup leaves TERM alone: " + p.stderr());
        }
    }

    @Test
    void reload_keeps_a_waiting_subscriber_waiting_then_delivers_to_it_through_a_new_location() throws Exception {
        try (ServerProcess p = ServerProcess.start(conf(10, ""));
             RawHttp waiting = new RawHttp(p.port())) {
            waiting.send(get("/sub?id=a"));
            awaitSubscribers(p, "a", 1);

            p.writeConf(conf(10, """
                    location /pub2 {
                        set $push_channel_id $arg_id;
                        push_publisher;
                    }
                    """));
            p.signal("HUP");
            p.awaitStderr("[notice] configuration reloaded", 1);

            assertEquals(1, info(p, "a").orElseThrow().subscribers(), "still waiting after the reload");
            RawResponse published = RawHttp.exchange(p.port(), post("/pub2?id=a", "after reload"));
            assertEquals(201, published.status(), "the new location works at once and finds the subscriber");
            RawResponse delivered = waiting.read();
            assertEquals(200, delivered.status());
            assertEquals("after reload", delivered.text());
        }
    }

    @Test
    void a_changed_buffer_length_takes_effect_after_reload_and_stored_messages_survive() throws Exception {
        try (ServerProcess p = ServerProcess.start(conf(10, ""))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(202, RawHttp.exchange(p.port(), post("/pub?id=a", "m" + i)).status());
            }
            p.writeConf(conf(2, ""));
            Object[] r = cli("-s", "reload", "-c", conf(p));
            assertEquals(0, r[0], (String) r[1]);
            p.awaitStderr("[notice] configuration reloaded", 1);

            assertEquals(3, info(p, "a").orElseThrow().messages(), "buffered messages survive the reload");
            for (int i = 0; i < 3; i++) {
                RawHttp.exchange(p.port(), post("/pub?id=b", "m" + i));
            }
            assertEquals(2, info(p, "b").orElseThrow().messages(), "push_max_message_buffer_length 2 applies now (protocol.md §5.3)");
            RawResponse oldest = RawHttp.exchange(p.port(), get("/sub?id=b"));
            assertEquals("m1", oldest.text());
        }
    }

    @Test
    void an_invalid_configuration_is_reported_and_the_old_one_keeps_running() throws Exception {
        try (ServerProcess p = ServerProcess.start(conf(10, ""))) {
            String good = Files.readString(p.dir().resolve("pushrelay.conf"));
            p.writeConf("location /pub {\n    push_max_message_buffer_length lots;\n}\n");
            p.signal("HUP");
            p.awaitStderr("[error] reload failed; still running the previous configuration", 1);
            assertTrue(p.stderr().contains("[emerg] " + conf(p) + ":2: push_max_message_buffer_length: "), p.stderr());

            // -s reload checks the file first, like nginx, and sends nothing
            Object[] r = cli("-s", "reload", "-c", conf(p));
            assertEquals(1, r[0]);
            assertTrue(((String) r[1]).contains(conf(p) + ":2: push_max_message_buffer_length"), (String) r[1]);

            assertEquals(202, RawHttp.exchange(p.port(), post("/pub?id=a", "still here")).status());
            assertEquals("still here", RawHttp.exchange(p.port(), get("/sub?id=a")).text());

            p.writeConf(good);
            p.signal("HUP");
            p.awaitStderr("[notice] configuration reloaded", 1);
        }
    }

    @Test
    void stop_answers_waiting_subscribers_with_304_and_exits_0() throws Exception {
        ServerProcess p = ServerProcess.start(conf(10, "pushrelay_shutdown_window 300ms;\n"));
        try {
            Path pid = p.dir().resolve("pushrelay.pid");
            assertEquals(p.pid() + "\n", Files.readString(pid));
            List<RawHttp> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawHttp c = new RawHttp(p.port());
                c.send(get("/sub?id=" + (i % 2 == 0 ? "a" : "b")));
                waiting.add(c);
            }
            awaitSubscribers(p, "a", 3);
            awaitSubscribers(p, "b", 2);

            Object[] r = cli("-s", "stop", "-c", conf(p));
            assertEquals(0, r[0], (String) r[1]);

            for (RawHttp c : waiting) {
                RawResponse resp = c.read();
                assertEquals("HTTP/1.1 304 Not Modified", resp.statusLine(), "as a subscriber timeout (protocol.md §4.3)");
                assertNull(resp.header("Etag"));
                assertNull(resp.header("Last-Modified"));
                assertEquals(0, resp.body().length);
                assertEquals(List.of("Connection", "Content-Length", "Date"), resp.headerNames().stream().sorted().toList(), resp.toString());
                assertEquals("0", resp.header("Content-Length"), "as every 304 of a push endpoint (issue 14)");
                assertEquals("close", resp.header("Connection"));
                assertTrue(c.closedByServer(5000), "the connection closes: the next poll reconnects");
                c.close();
            }
            assertEquals(0, p.awaitExit());
            p.awaitStderr("[notice] answered 5 waiting subscribers with 304 over 300 ms", 1);
            assertFalse(Files.exists(pid), "the pid file is removed at exit");
        } finally {
            p.close();
        }
    }

    @Test
    void stop_and_start_with_a_state_file_continue_the_cursor_walk_without_loss_or_repeat() throws Exception {
        String conf = conf(10, "pushrelay_state_path state/push.state;\n");
        ServerProcess first = ServerProcess.start(conf);
        Path dir = first.dir();
        List<Step> expected = new ArrayList<>();
        Step read;
        try {
            for (String m : List.of("m1", "m2", "m3")) { // usually one second: tags 0, 1, 2
                assertEquals(202, RawHttp.exchange(first.port(), post("/pub?id=a", m, "Content-Type: text/x-" + m)).status());
            }
            // what a client walking the whole channel sees before the restart
            Step s = Step.of(RawHttp.exchange(first.port(), get("/sub?id=a")));
            expected.add(s);
            for (int i = 0; i < 2; i++) {
                s = Step.of(RawHttp.exchange(first.port(), s.next("a")));
                expected.add(s);
            }
            // our client has read only the first message when the server stops
            read = Step.of(RawHttp.exchange(first.port(), get("/sub?id=a")));
            assertEquals(expected.get(0), read);
            first.signal("TERM");
            assertEquals(0, first.awaitExit());
            assertTrue(first.stderr().contains("[notice] saved 1 channels, 3 messages"), first.stderr());
            assertTrue(Files.exists(dir.resolve("state/push.state")));
        } finally {
            first.close();
        }

        try (ServerProcess second = ServerProcess.startIn(dir)) {
            assertTrue(second.stderr().contains("[notice] restored 1 channels, 3 messages from " + dir.resolve("state/push.state")),
                    second.stderr());
            assertFalse(Files.exists(dir.resolve("state/push.state")), "consumed: written again at the next stop");
            Step s = read;
            for (int i = 1; i < 3; i++) {
                RawResponse r = RawHttp.exchange(second.port(), s.next("a"));
                s = Step.of(r);
                assertEquals(expected.get(i), s, "the same Last-Modified/Etag walk after the restart");
                assertEquals("text/x-m" + (i + 1), r.header("Content-Type"));
            }
            try (RawHttp waiting = new RawHttp(second.port())) {
                waiting.send(s.next("a"));
                awaitSubscribers(second, "a", 1); // nothing repeated: past m3 it waits
                assertEquals(201, RawHttp.exchange(second.port(), post("/pub?id=a", "m4")).status());
                Step m4 = Step.of(waiting.read());
                assertEquals("m4", m4.body());
            }
        }
    }

    @Test
    void a_corrupt_state_file_is_reported_set_aside_and_the_server_starts_empty(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pushrelay.conf"), conf(10, "pushrelay_state_path push.state;\n"));
        Path state = dir.resolve("push.state");
        Files.write(state, "PUSHRELAY-STATE\n\0\0\0\1 cut off here".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (ServerProcess p = ServerProcess.startIn(dir)) {
            assertTrue(p.stderr().contains("[error] state file " + state + " is unusable: truncated"), p.stderr());
            assertTrue(p.stderr().contains("starting empty, kept as " + state + ".corrupt"), p.stderr());
            assertTrue(Files.exists(dir.resolve("push.state.corrupt")));
            assertFalse(Files.exists(state));
            assertTrue(info(p, "a").isEmpty(), "no channels");
            assertEquals(202, RawHttp.exchange(p.port(), post("/pub?id=a", "fine")).status());
        }
    }
}
