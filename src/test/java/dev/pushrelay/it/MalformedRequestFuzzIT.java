package dev.pushrelay.it;

import dev.pushrelay.http.ClientLimits;
import dev.pushrelay.store.StoreStats;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Throws 3,000 random malformed requests at a running server (protocol.md §9): random bytes,
 * truncated requests, bad methods, huge and odd headers, bad chunked bodies, random cursor
 * headers, pipelined junk, abrupt closes and resets. Every answer must be a well-formed
 * status line that is not a 5xx (nginx's 501 for an unknown Transfer-Encoding and 505 for HTTP/2.0 aside), every
 * connection must end, and afterwards a publish/subscribe cursor walk must work exactly and
 * nothing may be left held. Reproduce a failure with {@code -Dfuzz.seed=N} (printed).
 */
class MalformedRequestFuzzIT {

    static final int REQUESTS = 3000;
    static final long TIME_BOUND_NS = TimeUnit.SECONDS.toNanos(120);

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                push_message_timeout 10s;
                client_max_body_size 4k;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    @Test
    void s9_a_server_under_random_malformed_requests_keeps_serving_and_holds_nothing() throws IOException {
        long seed = Long.getLong("fuzz.seed", 20261123L);
        Random random = new Random(seed);
        Map<Integer, Integer> statuses = new TreeMap<>();
        try (TestServer server = TestServer.start(CONF, new ClientLimits(2000, 2000, 8 * 1024, 32 * 1024, 1000))) {
            long start = System.nanoTime();
            int i = 0;
            byte[] request = new byte[0];
            try {
                for (; i < REQUESTS && System.nanoTime() - start < TIME_BOUND_NS; i++) {
                    request = randomRequest(random);
                    int status = throwAt(server, request, random.nextInt(6));
                    statuses.merge(status, 1, Integer::sum);
                    if (status >= 500 && status != 501 && status != 505) throw new AssertionError("server error " + status);
                }
                server.awaitStats(s -> s.subscribers() == 0, "no subscriber left waiting");
                cursorWalkWorks(server);
                server.clock().advanceSeconds(60);
                server.server().store().sweep();
                StoreStats s = server.stats();
                assertEquals(new StoreStats(0, 0, 0, 0, s.budgetBytes()), s, "nothing held after the fuzz");
            } catch (AssertionError | IOException | RuntimeException e) {
                throw new AssertionError("fuzz failed (reproduce with -Dfuzz.seed=" + seed + "), request #" + i + ": "
                        + printable(request) + ": " + e.getMessage(), e);
            }
            System.out.printf("fuzz seed %d: %d requests in %d ms, statuses %s%n", seed, i,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), statuses);
        }
    }

    /**
     * Sends one request and ends the connection one of several ways; returns the status of the
     * first answer (0 if none). Waits for the server to close a half-closed connection.
     */
    private static int throwAt(TestServer server, byte[] request, int how) throws IOException {
        RawSocket s = new RawSocket(server.port());
        try {
            s.send(request);
        } catch (IOException e) {
            s.close(); // the server already closed: fine
            return 0;
        }
        switch (how) {
            case 0 -> {
                s.close();
                return 0;
            }
            case 1 -> {
                s.reset();
                return 0;
            }
            default -> {
                s.halfClose();
                RawSocket.Result r = s.readToClose(15_000);
                s.close();
                if (!r.closed()) throw new AssertionError("connection not closed after a half-close; got " + r.text());
                if (r.text().isEmpty()) return 0;
                if (!r.text().matches("(?s)HTTP/1\\.[01] [1-5]\\d\\d [^\r\n]*\r\n.*")) {
                    throw new AssertionError("not an HTTP answer: " + r.text());
                }
                return r.status();
            }
        }
    }

    /** protocol.md §4.2: replaying each response's headers walks every message exactly once. */
    private static void cursorWalkWorks(TestServer server) throws IOException {
        for (int m = 0; m < 5; m++) {
            assertEquals(202, server.send(RawHttp.post("/pub?id=walk", "m" + m)).status());
        }
        String lastModified = null;
        String etag = null;
        for (int m = 0; m < 5; m++) {
            RawResponse r = lastModified == null ? server.send(RawHttp.get("/sub?id=walk"))
                    : server.send(RawHttp.get("/sub?id=walk", "If-Modified-Since: " + lastModified, "If-None-Match: " + etag));
            assertEquals(200, r.status(), r.toString());
            assertEquals("m" + m, r.text());
            lastModified = r.header("Last-Modified");
            etag = r.header("Etag");
        }
        try (RawHttp waiting = new RawHttp(server.port())) {
            waiting.send(RawHttp.get("/sub?id=walk", "If-Modified-Since: " + lastModified, "If-None-Match: " + etag));
            server.awaitStats(s -> s.subscribers() == 1, "the walk's next poll waiting");
            assertEquals(201, server.send(RawHttp.post("/pub?id=walk", "m5")).status());
            assertEquals("m5", waiting.read().text());
        }
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=walk", null)).status());
    }

    // ---- generators ----------------------------------------------------------------------------

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "get", "G3T", "", "GET GET",
            "\u0000", "POST\t", "CONNECT", "PRI", "TRACE"};
    private static final String[] TARGETS = {"/pub?id=f", "/sub?id=f", "/pub", "/sub?id=", "/", "*", "http://x/sub?id=f", "/sub?id=%zz",
            "/sub?id=a%00b", "/../../etc/passwd", "/sub?id=f&id=g", "/pub?id=" + "x".repeat(2000), "/sub;x=y?id=f", "//sub?id=f"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1 extra", "HTTP/9.9", "http/1.1", "", "HTTP/"};
    private static final String[] CURSOR_VALUES = {"garbage", "", " ", "0", "-1", "99999999999999999999999", "W/\"1\"", "\"0\"", "1, 2",
            "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 32 Foo 2020 25:61:61 GMT", "\u00ff\u00fe"};

    private static byte[] randomRequest(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> randomBytes(r, 1 + r.nextInt(300));
            case 1 -> truncate(r, validRequest(r));
            case 2 -> (METHODS[r.nextInt(METHODS.length)] + " " + TARGETS[r.nextInt(TARGETS.length)] + " "
                    + VERSIONS[r.nextInt(VERSIONS.length)] + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 3 -> oddHeaders(r);
            case 4 -> badChunked(r);
            case 5 -> cursorRequest(r);
            case 6 -> lengthMismatch(r);
            case 7 -> concat(validRequest(r), r.nextBoolean() ? randomBytes(r, 1 + r.nextInt(50)) : validRequest(r));
            case 8 -> flipBytes(r, validRequest(r));
            default -> validRequest(r);
        };
    }

    private static String channel(Random r) {
        return "f" + r.nextInt(8);
    }

    private static byte[] validRequest(Random r) {
        String ch = channel(r);
        return switch (r.nextInt(4)) {
            case 0 -> RawHttp.post("/pub?id=" + ch, "body" + r.nextInt(1000)).getBytes(StandardCharsets.ISO_8859_1);
            case 1 -> RawHttp.get("/sub?id=" + ch).getBytes(StandardCharsets.ISO_8859_1);
            case 2 -> RawHttp.get("/pub?id=" + ch, "Accept: text/json").getBytes(StandardCharsets.ISO_8859_1);
            default -> RawHttp.request("DELETE", "/pub?id=" + ch, null).getBytes(StandardCharsets.ISO_8859_1);
        };
    }

    private static byte[] oddHeaders(Random r) {
        StringBuilder b = new StringBuilder("GET /sub?id=" + channel(r) + " HTTP/1.1\r\nHost: x\r\n");
        int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 1500 : 20);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> b.append("X-Long: ").append("v".repeat(r.nextInt(12_000))).append("\r\n");
                case 1 -> b.append(randomText(r, 1 + r.nextInt(20))).append(": ").append(randomText(r, r.nextInt(40))).append("\r\n");
                case 2 -> b.append("NoColonHere\r\n");
                case 3 -> b.append(" folded continuation\r\n");
                case 4 -> b.append("Content-Length: ").append(r.nextBoolean() ? "abc" : Long.toString(r.nextLong())).append("\r\n");
                default -> b.append("X-").append(i).append(": ").append(i).append("\r\n");
            }
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] badChunked(Random r) {
        StringBuilder b = new StringBuilder("POST /pub?id=" + channel(r) + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        int chunks = r.nextInt(5);
        for (int i = 0; i < chunks; i++) {
            int size = r.nextInt(3000);
            String sizeText = switch (r.nextInt(5)) {
                case 0 -> Integer.toHexString(size + r.nextInt(3) - 1); // off by one
                case 1 -> randomText(r, 1 + r.nextInt(20));
                case 2 -> Integer.toHexString(size) + ";ext=" + randomText(r, 5);
                default -> Integer.toHexString(size);
            };
            b.append(sizeText).append(r.nextBoolean() ? "\r\n" : "\n").append("c".repeat(size)).append("\r\n");
        }
        if (r.nextBoolean()) b.append("0\r\n").append(r.nextBoolean() ? "X-Trailer: t\r\n" : "").append("\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] cursorRequest(Random r) {
        return RawHttp.get("/sub?id=" + channel(r),
                "If-Modified-Since: " + CURSOR_VALUES[r.nextInt(CURSOR_VALUES.length)],
                "If-None-Match: " + CURSOR_VALUES[r.nextInt(CURSOR_VALUES.length)]).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] lengthMismatch(Random r) {
        String body = randomText(r, r.nextInt(100));
        int declared = Math.max(0, body.length() + r.nextInt(41) - 20);
        if (r.nextInt(10) == 0) declared = 5000 + r.nextInt(10_000); // over client_max_body_size
        return ("POST /pub?id=" + channel(r) + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + declared + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] truncate(Random r, byte[] b) {
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
    }

    private static byte[] flipBytes(Random r, byte[] b) {
        byte[] out = b.clone();
        for (int k = 0; k < 1 + r.nextInt(4); k++) out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String randomText(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append((char) (r.nextInt(4) == 0 ? r.nextInt(256) : 32 + r.nextInt(95)));
        return b.toString();
    }

    private static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 300); i++) {
            int c = b[i] & 0xff;
            s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s + (b.length > 300 ? "... (" + b.length + " bytes)" : "");
    }
}
