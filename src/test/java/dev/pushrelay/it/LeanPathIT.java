package dev.pushrelay.it;

import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lean path (protocol.md §12) answers byte for byte as Undertow does: every scenario runs
 * the same requests, in the same order, against a server with the lean path and one without
 * (same configuration, same clock), and the answers must be the same bytes, the Date values
 * aside. Each scenario also checks that the lean server really served its long-polls itself
 * (its parked subscribers are not Undertow exchanges), so the comparison cannot pass by both
 * servers taking the same old path.
 */
class LeanPathIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
                push_subscriber_timeout 2s;
            }
            location /last {
                set $push_channel_id $arg_id;
                push_subscriber;
                push_subscriber_concurrency last;
            }
            location /one {
                set $push_channel_id $arg_id;
                push_subscriber;
                push_max_channel_subscribers 1;
            }
            location /ipoll {
                set $push_channel_id $arg_id;
                push_subscriber interval-poll;
            }
            location /logged {
                set $push_channel_id $arg_id;
                push_subscriber;
                add_header X-Extra yes;
            }
            """;

    private final List<TestServer> servers = new ArrayList<>();

    /** The lean server first, then Undertow's. */
    private List<TestServer> pair() {
        servers.add(TestServer.start(CONF, true));
        servers.add(TestServer.start(CONF, false));
        return servers;
    }

    @AfterEach
    void stop() {
        for (TestServer s : servers) s.close();
    }

    /** One scenario against one server: the answers it got, in order. */
    interface Scenario {
        void run(TestServer server, boolean lean, List<String> answers) throws Exception;
    }

    private void same(Scenario scenario) throws Exception {
        List<TestServer> both = pair();
        List<String> lean = new ArrayList<>();
        List<String> undertow = new ArrayList<>();
        scenario.run(both.get(0), true, lean);
        scenario.run(both.get(1), false, undertow);
        assertFalse(lean.isEmpty());
        assertEquals(undertow, lean);
    }

    @Test
    void a_stored_message_to_every_kind_of_client() throws Exception {
        same((server, lean, out) -> {
            publish(server, "m1", "hello", "Content-Type: text/plain");
            publish(server, "m2", "", null);
            publish(server, "m3", "x\u00e9y", "Content-Type: application/x-thing; charset=utf-8");
            for (String id : new String[] {"m1", "m2", "m3"}) {
                out.add(exchange(server, "GET /sub?id=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 1));
                out.add(exchange(server, "GET /sub?id=" + id + " HTTP/1.0\r\n\r\n", 1));
                out.add(exchange(server, "GET /sub?id=" + id + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1));
                out.add(exchange(server, "GET /sub?id=" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1));
            }
            // pipelined, then a request the lean path hands to Undertow on the same connection
            out.add(exchange(server, "GET /sub?id=m1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /sub?id=m1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: 0\r\n"
                    + "If-Modified-Since: Thu, 21 Sep 2026 12:26:40 GMT\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3));
            // requests the lean path does not take: Undertow's answers, unchanged
            out.add(exchange(server, "GET /sub?id=m1&cursor=zz HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /sub HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "POST /sub?id=m1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", 1));
            out.add(exchange(server, "GET /sub?id=m1 HTTP/1.1\r\nhost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /sub?id=%6d1 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /logged?id=m1 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /ipoll?id=m1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: 9\r\n\r\n", 1));
            out.add(exchange(server, "GET /sub?id=m1 HTTP/1.1\r\n\r\n", 1));
            out.add(exchange(server, "GET /sub?id=m1 HTTP/1.1\nHost: x\n\n", 1));
        });
    }

    @Test
    void publishes_in_every_framing() throws Exception {
        same((server, lean, out) -> {
            out.add(exchange(server, "POST /pub?id=p1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 1));
            out.add(exchange(server, "PUT /pub?id=p1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\n"
                    + "Accept: application/json\r\nContent-Length: 0\r\n\r\n", 1));
            out.add(exchange(server, "POST /pub?id=p1 HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi", 1));
            out.add(exchange(server, "POST /pub?id=p1 HTTP/1.0\r\nConnection: keep-alive\r\nAccept: text/xml\r\n"
                    + "Content-Length: 2\r\n\r\nhi", 1));
            // pipelined on one connection, a request for Undertow last
            out.add(exchange(server, "POST /pub?id=p2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
                    + "POST /pub?id=p2 HTTP/1.1\r\nHost: x\r\nX-EventSource-Event: ev\r\nContent-Length: 1\r\n\r\nb"
                    + "OPTIONS /pub?id=p2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3));
            out.add(exchange(server, "GET /sub?id=p2 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            // 201: a long-poll was waiting
            try (Conn c = new Conn(server.port())) {
                c.send("GET /sub?id=p3 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=p3", 1);
                assertLean(server, lean, 1);
                out.add(exchange(server, "POST /pub?id=p3 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwake", 1));
                out.add(c.read());
            }
            // not lean: no channel id, a chunked body, a body not all sent at once (Undertow reads the rest)
            out.add(exchange(server, "POST /pub HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", 1));
            out.add(exchange(server, "POST /pub?id=p4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n0\r\n\r\n", 1));
            try (Conn c = new Conn(server.port())) {
                c.send("POST /pub?id=p4 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc");
                c.send("def");
                out.add(c.read());
            }
        });
    }

    /**
     * A publisher's GET (protocol.md §3.4) is lean too: 200 with the info in each format and
     * framing, 404 for a channel that does not exist; the connection stays lean after it.
     */
    @Test
    void channel_info_in_every_framing() throws Exception {
        same((server, lean, out) -> {
            publish(server, "i1", "abc", null);
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.1\r\nHost: x\r\nAccept: text/json\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.0\r\nAccept: text/xml\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.0\r\nConnection: keep-alive\r\n"
                    + "Accept: text/yaml\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=none HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /pub?id=none HTTP/1.0\r\n\r\n", 2));
            // not lean: no channel id, a body
            out.add(exchange(server, "GET /pub HTTP/1.1\r\nHost: x\r\n\r\n", 1));
            out.add(exchange(server, "GET /pub?id=i1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", 1));
            // the info, a 404, then a long-poll on the same connection: still lean on the lean
            // server (a request handed to Undertow would have made the connection Undertow's)
            try (Conn c = new Conn(server.port())) {
                c.send("GET /pub?id=i2 HTTP/1.1\r\nHost: x\r\n\r\n");
                out.add(c.read());
                c.send("GET /pub?id=i1 HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n");
                out.add(c.read());
                c.send("GET /sub?id=i2 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=i2", 1);
                assertLean(server, lean, 1);
                out.add(exchange(server, "GET /pub?id=i2 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
                out.add(exchange(server, "POST /pub?id=i2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz", 1));
                out.add(c.read());
            }
        });
    }

    @Test
    void a_parked_poll_woken_by_a_message_then_the_connection_goes_on() throws Exception {
        same((server, lean, out) -> {
            try (Conn c = new Conn(server.port())) {
                c.send("GET /sub?id=w1 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=w1", 1);
                assertLean(server, lean, 1);
                // pipelined behind the parked request: answered after it, in order
                c.send("GET /sub?id=w1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: 0\r\n"
                        + "If-Modified-Since: " + lastModified(server) + "\r\n\r\n");
                publish(server, "w1", "first", "Content-Type: text/plain");
                out.add(c.read());
                server.awaitSubscribers("/pub?id=w1", 1);
                publish(server, "w1", "second", null);
                out.add(c.read());
                c.send("GET /nowhere HTTP/1.0\r\n\r\n");
                out.add(c.read());
            }
        });
    }

    @Test
    void the_subscriber_timeout_answers_304_and_keeps_the_connection() throws Exception {
        same((server, lean, out) -> {
            try (Conn c = new Conn(server.port())) {
                c.send("GET /sub?id=t1 HTTP/1.1\r\nHost: x\r\n\r\n");
                // seen in the store itself: a channel-info poll over HTTP could take longer than
                // the 2 s timeout on a loaded host, and the waiter would be gone before it is checked
                server.awaitStats(s -> s.subscribers() == 1, "one subscriber waiting");
                assertLean(server, lean, 1);
                out.add(c.read());
                c.send("GET /sub?id=t1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                out.add(c.read());
                c.send("GET /sub?id=t1 HTTP/1.0\r\n\r\n");
                out.add(c.read());
                out.add(c.closed() ? "closed" : "open");
            }
        });
    }

    @Test
    void conflict_gone_and_too_many_subscribers() throws Exception {
        same((server, lean, out) -> {
            try (Conn first = new Conn(server.port()); Conn second = new Conn(server.port())) {
                first.send("GET /last?id=c1 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=c1", 1);
                assertLean(server, lean, 1);
                second.send("GET /last?id=c1 HTTP/1.1\r\nHost: x\r\n\r\n");
                out.add(first.read()); // 409: the newest subscriber wins
                server.awaitSubscribers("/pub?id=c1", 1);
                out.add(exchange(server, "DELETE /pub?id=c1 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
                out.add(second.read()); // 410
            }
            try (Conn one = new Conn(server.port())) {
                one.send("GET /one?id=o1 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=o1", 1);
                out.add(exchange(server, "GET /one?id=o1 HTTP/1.1\r\nHost: x\r\n\r\n", 1)); // 403
                out.add(exchange(server, "GET /one?id=o1 HTTP/1.0\r\n\r\n", 1));
            }
        });
    }

    @Test
    void a_client_that_leaves_while_parked_is_released() throws Exception {
        same((server, lean, out) -> {
            Conn c = new Conn(server.port());
            c.send("GET /sub?id=d1 HTTP/1.1\r\nHost: x\r\n\r\n");
            server.awaitSubscribers("/pub?id=d1", 1);
            assertLean(server, lean, 1);
            c.close();
            server.awaitSubscribers("/pub?id=d1", 0);
            publish(server, "d1", "after", null);
            out.add(exchange(server, "GET /sub?id=d1 HTTP/1.1\r\nHost: x\r\n\r\n", 1));
        });
    }

    @Test
    void a_graceful_stop_answers_parked_polls_304_with_close() throws Exception {
        same((server, lean, out) -> {
            try (Conn c = new Conn(server.port())) {
                c.send("GET /sub?id=g1 HTTP/1.1\r\nHost: x\r\n\r\n");
                server.awaitSubscribers("/pub?id=g1", 1);
                assertLean(server, lean, 1);
                Thread stop = new Thread(() -> server.server().stop());
                stop.start();
                out.add(c.read());
                out.add(c.closed() ? "closed" : "open");
                stop.join(TimeUnit.SECONDS.toMillis(20));
            }
        });
    }

    /**
     * Redis locations are lean too (protocol.md §12, §13): while their Redis is away, a
     * publish, a channel info and a long-poll, taken before Redis answers, get Undertow's 503 page with
     * Retry-After in every framing, and the connection goes on as Undertow's does.
     */
    @Test
    void redis_away_answers_503_as_undertow_does() throws Exception {
        int dead = dev.pushrelay.testing.Ports.free(); // nothing listens there
        String conf = """
                location /rpub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    nchan_redis_url redis://127.0.0.1:%d;
                    nchan_use_redis on;
                }
                location /rsub {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    nchan_redis_url redis://127.0.0.1:%d;
                    nchan_use_redis on;
                }
                """.formatted(dead, dead);
        servers.add(TestServer.start(conf, true));
        servers.add(TestServer.start(conf, false));
        List<List<String>> both = new ArrayList<>();
        for (TestServer server : servers) {
            List<String> out = new ArrayList<>();
            out.add(exchange(server, "POST /rpub?id=r1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /rsub?id=r1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /rsub?id=r1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: 0\r\n"
                    + "If-Modified-Since: Thu, 21 Sep 2026 12:26:40 GMT\r\nConnection: close\r\n\r\n", 3));
            out.add(exchange(server, "POST /rpub?id=r1 HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi", 1));
            out.add(exchange(server, "GET /rsub?id=r1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    + "PUT /rpub?id=r1 HTTP/1.0\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n", 2));
            out.add(exchange(server, "GET /rpub?id=r1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /rpub?id=r1 HTTP/1.0\r\nAccept: text/json\r\n\r\n", 2)); // channel info, §3.4
            both.add(out);
        }
        assertTrue(both.get(0).get(0).startsWith("HTTP/1.1 503 "), both.get(0).get(0));
        assertTrue(both.get(0).get(0).contains("Retry-After: 1\r\n"), both.get(0).get(0));
        assertEquals(both.get(1), both.get(0));
    }

    /** The lean server parks its long-polls as lean waiters, Undertow's as exchanges. */
    private static void assertLean(TestServer server, boolean lean, int n) {
        List<Subscriber> waiting = server.server().store().waiting();
        assertEquals(n, waiting.size());
        for (Subscriber s : waiting) {
            assertEquals(lean ? "LeanWaiter" : "WaitingSubscriber", s.getClass().getSimpleName());
        }
    }

    /** The Last-Modified of a message published now: the server's clock, which the test holds still. */
    private static String lastModified(TestServer server) {
        return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(server.clock().instant().atZone(java.time.ZoneOffset.UTC));
    }

    private static String header(String answer, String name) {
        for (String line : answer.split("\r\n")) {
            if (line.startsWith(name + ": ")) return line.substring(name.length() + 2);
        }
        return "";
    }

    private static void publish(TestServer server, String id, String body, String header) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /pub?id=" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + (header == null ? "" : header + "\r\n") + "Content-Length: " + b.length + "\r\n\r\n";
        try (Conn c = new Conn(server.port())) {
            c.send(head + new String(b, StandardCharsets.ISO_8859_1));
            String answer = c.read();
            assertTrue(answer.startsWith("HTTP/1.1 20"), answer);
        }
    }

    /** Sends {@code request} on a fresh connection and reads {@code n} answers. */
    private static String exchange(TestServer server, String request, int n) throws IOException {
        try (Conn c = new Conn(server.port())) {
            c.send(request);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) b.append(c.read());
            return b.toString();
        }
    }

    /** A client connection reading answers byte for byte; Date values are masked. */
    static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(15_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** One answer: its head to the blank line, then Content-Length bytes. */
        String read() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                head.write(c);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (c < 0) return text + "<EOF>";
            String length = header(text, "Content-Length");
            byte[] body = length.isEmpty() ? new byte[0] : in.readNBytes(Integer.parseInt(length));
            return masked(text + new String(body, StandardCharsets.ISO_8859_1));
        }

        boolean closed() throws IOException {
            socket.setSoTimeout(5_000);
            try {
                return in.read() < 0;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String masked(String text) {
        return text.replaceAll("Date: [^\r]*\r\n", "Date: *\r\n");
    }
}
