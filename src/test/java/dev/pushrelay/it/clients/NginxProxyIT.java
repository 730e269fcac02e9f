package dev.pushrelay.it.clients;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's nginx with conf/nginx-proxy.conf (only its two ports replaced) in front of a real
 * pushrelay: publishes and long-polls go through the proxy, and nothing is lost, duplicated,
 * reordered, buffered or turned into a 304 on the way.
 */
class NginxProxyIT {

    private static Relay relay;
    private static ClientProcess nginx;
    private static int port;
    private static Path prefix;

    @BeforeAll
    static void start() throws IOException {
        Deps.install("curl");
        relay = Relay.startTenDeep(); // several messages are walked through the proxy
        port = freePort();
        String shipped = Files.readString(ClientProcess.ROOT.resolve("conf/nginx-proxy.conf"));
        String conf = replaceOnce(replaceOnce(shipped, "server 127.0.0.1:8080;", "server 127.0.0.1:" + relay.port() + ";"),
                "listen 127.0.0.1:8081;", "listen 127.0.0.1:" + port + ";");
        prefix = Files.createTempDirectory("pushrelay-nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, conf);
        String binary = Nginx.binary();
        // in the foreground, as our child: ended by its pid afterwards
        nginx = ClientProcess.start("nginx", binary, "-c", file.toString(), "-p", prefix + "/", "-e", "stderr",
                "-g", "daemon off;");
        awaitListening();
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
                c.send(next("/activity?id=walk", r));
                r = c.read();
            }
            assertEquals(sent, got);

            // caught up: the next request waits, and a new message ends it
            c.send(next("/activity?id=walk", r));
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

    /** The request for the message after {@code r} (protocol.md §4.2). */
    private static String next(String target, RawResponse r) {
        return get(target, "If-Modified-Since: " + r.header("Last-Modified"), "If-None-Match: " + r.header("Etag"));
    }

    private static String replaceOnce(String text, String what, String with) {
        assertTrue(text.contains(what), "conf/nginx-proxy.conf lost its '" + what + "'");
        return text.replace(what, with);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) throw new AssertionError("nginx exited\n" + nginx.describe());
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        throw new AssertionError("nginx never listened on " + port + "\n" + nginx.describe());
    }
}
