package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.Ports;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's nginx with conf/nginx-proxy.conf (only its two ports replaced) in front of a real
 * pushrelay: publishes, long-polls, EventSource streams (curl -N) and WebSockets (the JDK's
 * client) go through the proxy, and nothing is lost, duplicated, reordered, buffered or turned
 * into a 304 on the way.
 */
@Tag(ExternalPrograms.NGINX)
@Tag(ExternalPrograms.CURL)
@ExtendWith(ExternalPrograms.class)
class NginxProxyIT {

    private static Relay relay;
    private static ClientProcess nginx;
    private static int port;
    private static Path prefix;

    @BeforeAll
    static void start() throws IOException {
        String binary = ExternalPrograms.nginx().toString();
        ExternalPrograms.curl();
        relay = Relay.startTenDeep(); // several messages are walked through the proxy
        port = Ports.free();
        String shipped = Files.readString(ClientProcess.ROOT.resolve("conf/nginx-proxy.conf"));
        String conf = replaceOnce(replaceOnce(shipped, "server 127.0.0.1:8080;", "server 127.0.0.1:" + relay.port() + ";"),
                "listen 127.0.0.1:8081;", "listen 127.0.0.1:" + port + ";");
        prefix = Files.createTempDirectory("pushrelay-nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, conf);
        // in the foreground, as our child: ended by its pid afterwards
        nginx = ClientProcess.start("nginx", binary, "-c", file.toString(), "-p", prefix + "/", "-e", "stderr",
                "-g", "daemon off;");
        Ports.awaitListening(port, Duration.ofSeconds(20), nginx::isAlive, nginx::describe);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) nginx.close();
        if (relay != null) relay.close();
        if (prefix != null) {
            try (var files = Files.walk(prefix)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }

    @Test
    void a_waiting_long_poll_gets_the_message_through_the_proxy_and_the_publisher_201() throws IOException {
        try (RawHttp waiting = new RawHttp(port)) {
            waiting.send(get("/activity?id=wait"));
            relay.awaitSubscribers("/publish?id=wait", 1);
            RawResponse published = RawHttp.exchange(port, post("/publish?id=wait", "hello", "Content-Type: text/x-greeting"));
            assertEquals(201, published.status(), published.toString());
            RawResponse r = waiting.read();
            assertEquals(200, r.status(), r.toString());
            assertEquals("hello", r.text());
            assertEquals("text/x-greeting", r.header("Content-Type"));
            assertEquals("0", r.header("Etag"));
            assertNotNull(r.header("Last-Modified"));
            assertEquals("If-None-Match, If-Modified-Since", r.header("Vary"));
        }
    }

    @Test
    void messages_of_one_second_walk_through_the_proxy_once_each_in_order_never_as_304() throws IOException {
        List<String> sent = IntStream.rangeClosed(1, 8).mapToObj(i -> "m" + i).toList();
        for (String m : sent) assertEquals(202, RawHttp.exchange(port, post("/publish?id=walk", m)).status());
        List<String> got = new ArrayList<>();
        try (RawHttp c = new RawHttp(port)) { // one keep-alive connection to nginx for the whole walk
            c.send(get("/activity?id=walk"));
            RawResponse r = c.read();
            while (true) {
                assertEquals(200, r.status(), "after " + got + ": " + r);
                got.add(r.text());
                if (got.size() == sent.size()) break;
                c.send(RawHttp.next("/activity?id=walk", r));
                r = c.read();
            }
            assertEquals(sent, got);

            // caught up: the next request waits, and a new message ends it
            c.send(RawHttp.next("/activity?id=walk", r));
            relay.awaitSubscribers("/publish?id=walk", 1);
            assertEquals(201, RawHttp.exchange(port, post("/publish?id=walk", "m9")).status());
            RawResponse last = c.read();
            assertEquals(200, last.status(), last.toString());
            assertEquals("m9", last.text());
        }
    }

    @Test
    void curl_subscribers_through_the_proxy_print_every_message_once_in_order() throws IOException {
        String base = "http://127.0.0.1:" + port;
        List<String> sent = IntStream.rangeClosed(1, 12).mapToObj(i -> "message " + i).toList();
        try (ClientProcess a = ClientProcess.start("nginx-curl-sub-a", Map.of(), List.of("bash",
                "test-clients/subscribe.sh", "-u", base, "-n", "12", "-T", "30", "curl"));
             ClientProcess b = ClientProcess.start("nginx-curl-sub-b", Map.of(), List.of("bash",
                     "test-clients/subscribe.sh", "-u", base, "-n", "12", "-T", "30", "curl"))) {
            relay.awaitSubscribers("/publish?id=curl", 2);
            List<String> cmd = new ArrayList<>(List.of("bash", "test-clients/publish.sh", "-u", base, "curl"));
            cmd.addAll(sent.subList(0, 6));
            try (ClientProcess p = ClientProcess.start("nginx-curl-pub-1", Map.of(), cmd)) {
                assertEquals("201", p.expectExit(0, Duration.ofSeconds(30)).lines().get(0));
            }
            try (ClientProcess p = ClientProcess.start("nginx-curl-pub-2", Map.of(),
                    List.of("bash", "test-clients/publish.sh", "-u", base, "curl"),
                    String.join("\n", sent.subList(6, 12)) + "\n")) {
                p.expectExit(0, Duration.ofSeconds(30));
            }
            for (ClientProcess sub : List.of(a, b)) {
                sub.expectExit(0, Duration.ofSeconds(40));
                assertEquals(sent, sub.lines(), sub.describe());
            }
        }
    }

    @Test
    void a_deleted_channel_ends_the_waiting_long_poll_with_410_through_the_proxy() throws IOException {
        try (RawHttp waiting = new RawHttp(port)) {
            waiting.send(get("/activity?id=gone"));
            relay.awaitSubscribers("/publish?id=gone", 1);
            assertEquals(200, RawHttp.exchange(port, request("DELETE", "/publish?id=gone", null)).status());
            RawResponse r = waiting.read();
            assertEquals(410, r.status(), r.toString());
        }
    }

    @Test
    void a_client_that_goes_away_is_released_upstream_at_once() throws IOException {
        RawHttp waiting = new RawHttp(port);
        waiting.send(get("/activity?id=away"));
        relay.awaitSubscribers("/publish?id=away", 1);
        waiting.close();
        relay.awaitSubscribers("/publish?id=away", 0);
    }

    private static final Pattern EVENT_ID = Pattern.compile("id: (\\d+:\\d+)\n");

    /** curl -N reading an EventSource stream from nginx. */
    private static ClientProcess curlStream(String name, String target, String... headers) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sN", "-m", "30", "-H", "Accept: text/event-stream"));
        for (String h : headers) cmd.addAll(List.of("-H", h));
        cmd.add("http://127.0.0.1:" + port + target);
        return ClientProcess.start(name, Map.of(), cmd);
    }

    /** Polls curl's output until it holds {@code events} events after the opening comment. */
    private static String awaitEvents(ClientProcess c, int events) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String out = c.stdout();
            if (out.split("\n\n", -1).length - 2 >= events) return out;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("fewer than " + events + " events\n" + c.describe());
    }

    @Test
    void s14_2_eventsource_events_pass_through_the_proxy_one_by_one_and_resume_with_last_event_id() throws IOException {
        String first;
        try (ClientProcess c = curlStream("nginx-es", "/activity?id=es")) {
            relay.awaitSubscribers("/publish?id=es", 1);
            assertEquals(201, RawHttp.exchange(port, post("/publish?id=es", "one")).status());
            // the first event arrives before the second is published: nothing is buffered on the way
            first = awaitEvents(c, 1);
            relay.awaitSubscribers("/publish?id=es", 1);
            RawHttp.exchange(port, post("/publish?id=es", "two\nlines", "X-EventSource-Event: pair"));
            String stream = awaitEvents(c, 2);
            List<String> ids = ids(stream);
            assertEquals(":\n\nid: " + ids.get(0) + "\ndata: one\n\n", first);
            assertEquals(":\n\nid: " + ids.get(0) + "\ndata: one\n\nid: " + ids.get(1) + "\nevent: pair\ndata: two\ndata: lines\n\n",
                    stream);
            first = ids.get(0);
        }
        RawHttp.exchange(port, post("/publish?id=es", "three"));
        try (ClientProcess c = curlStream("nginx-es-resume", "/activity?id=es", "Last-Event-ID: " + first)) {
            String resumed = awaitEvents(c, 2);
            assertTrue(resumed.matches("(?s):\n\nid: \\d+:\\d+\nevent: pair\ndata: two\ndata: lines\n\nid: \\d+:\\d+\ndata: three\n\n"),
                    resumed);
        }
    }

    @Test
    void s14_6_websocket_frames_pass_through_the_proxy_resume_from_the_cursor_and_close_4410() throws Exception {
        String base = "ws://127.0.0.1:" + port + "/activity?id=ws";
        Frames a = new Frames();
        WebSocket ws = a.open(base);
        assertEquals("ws+meta.nchan", ws.getSubprotocol(), "the subprotocol is negotiated through nginx");
        relay.awaitSubscribers("/publish?id=ws", 1);
        assertEquals(201, RawHttp.exchange(port, post("/publish?id=ws", "one", "Content-Type: text/plain")).status());
        String one = a.next();
        relay.awaitSubscribers("/publish?id=ws", 1);
        RawHttp.exchange(port, post("/publish?id=ws", "two", "Content-Type: text/plain"));
        String two = a.next();
        assertTrue(one.matches("id: \\d+:\\d+\ncontent-type: text/plain\n\none"), one);
        assertTrue(two.matches("id: \\d+:\\d+\ncontent-type: text/plain\n\ntwo"), two);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(20, TimeUnit.SECONDS);
        relay.awaitSubscribers("/publish?id=ws", 0);

        // back with the first message's id as ?cursor=: the second, then one published meanwhile
        RawHttp.exchange(port, post("/publish?id=ws", "three", "Content-Type: text/plain"));
        String cursor = ids(one).get(0);
        Frames b = new Frames();
        b.open(base + "&cursor=" + cursor);
        assertEquals(two, b.next());
        assertTrue(b.next().endsWith("\n\nthree"));
        relay.awaitSubscribers("/publish?id=ws", 1);
        assertEquals(200, RawHttp.exchange(port, request("DELETE", "/publish?id=ws", null)).status());
        assertEquals("close 4410 channel deleted", b.next());
    }

    private static List<String> ids(String text) {
        List<String> ids = new ArrayList<>();
        Matcher m = EVENT_ID.matcher(text);
        while (m.find()) ids.add(m.group(1));
        return ids;
    }

    /** The JDK's WebSocket client, each whole text frame (or the close) queued as it arrives. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final StringBuilder part = new StringBuilder();

        WebSocket open(String uri) throws Exception {
            return HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("ws+meta.nchan")
                    .buildAsync(URI.create(uri), this).get(20, TimeUnit.SECONDS);
        }

        String next() throws InterruptedException {
            String f = queue.poll(20, TimeUnit.SECONDS);
            if (f == null) throw new AssertionError("no frame within 20 s");
            return f;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                queue.add(part.toString());
                part.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            queue.add("close " + code + " " + reason);
            return null;
        }
    }

    private static String replaceOnce(String text, String what, String with) {
        assertTrue(text.contains(what), "conf/nginx-proxy.conf lost its '" + what + "'");
        return text.replace(what, with);
    }
}
