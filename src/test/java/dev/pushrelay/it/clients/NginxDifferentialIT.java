package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differential test of request reading (protocol.md §9): the same bytes go to pushrelay and to
 * Debian's nginx (a configuration of {@code return} locations, no module), and both must give
 * the same kind of answer: refused with the same status (400, 413, 414, 501, 505), served, or
 * no answer yet. The corpus is the table of issue 12 plus seeded random mutations of valid
 * publishes (bytes flipped, dropped, inserted, lines doubled, case changed). Whatever
 * pushrelay stores must be exactly the body a correct reading of those bytes carries.
 * Reproduce with {@code -Ddiff.seed=N}; bounded in count and time.
 */
@Tag(ExternalPrograms.NGINX)
@ExtendWith(ExternalPrograms.class)
class NginxDifferentialIT {

    static final int MUTATIONS = Integer.getInteger("diff.count", 400);
    static final long TIME_BOUND_NS = TimeUnit.SECONDS.toNanos(90);
    /** How long a server may stay silent before "no answer" is its answer. */
    static final int SILENCE_MS = 1500;

    static final String NGINX_CONF = """
            worker_processes 1;
            pid PREFIX/nginx.pid;
            error_log stderr crit;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path PREFIX/tmp/body;
                proxy_temp_path PREFIX/tmp/proxy;
                fastcgi_temp_path PREFIX/tmp/fastcgi;
                uwsgi_temp_path PREFIX/tmp/uwsgi;
                scgi_temp_path PREFIX/tmp/scgi;
                server {
                    listen 127.0.0.1:PORT;
                    location /pub { return 202; }
                    location / { return 404; }
                }
            }
            """;

    static final String PUSHRELAY_CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                push_store_messages on;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    static Nginx nginx;
    static TestServer pushrelay;

    @BeforeAll
    static void start() {
        nginx = Nginx.start("nginx-differential", NGINX_CONF);
        pushrelay = TestServer.start(PUSHRELAY_CONF);
    }

    @AfterAll
    static void stop() {
        if (pushrelay != null) pushrelay.close();
        if (nginx != null) nginx.close();
    }

    /** The answer's kind: a refusal by status, any other answer, or none. */
    static String kind(String answer) {
        if (!answer.startsWith("HTTP/1.")) return answer.isEmpty() ? "none" : "not http";
        int status = Integer.parseInt(answer.substring(9, 12));
        return switch (status) {
            case 400, 413, 414, 501, 505 -> Integer.toString(status);
            default -> "served";
        };
    }

    static final String[] TABLE = {
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "f".repeat(25) + "\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "5".repeat(100) + "\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            "get /pub?id=ID HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\nHost: x\r\n: novalue\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\n Host: x\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\rHost: x\r\r",
            "GET /pub?id=ID&pad=" + "a".repeat(33 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /pub?id=ID&pad=" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "POST /pub?id=ID HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "TRACE /pub?id=ID HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /pub?id=ID HTTP/1.1\r\n\r\n",
            "GET /pub?id=ID HTTP/2.0\r\nHost: x\r\n\r\n",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\nhello",
            "POST /pub?id=ID HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext\r\nhello\n0\r\nT: t\r\n\r\n",
    };

    /** Valid publishes the mutations start from. */
    static final String[] VALID = {
            "POST /pub?id=ID HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
            "POST /pub?id=ID HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            "PUT /pub?id=ID HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\nhello\n6\n world\n0\nT: t\n\n",
            "POST /pub?id=ID HTTP/1.0\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\nhello world",
    };

    static final byte[] INTERESTING = " \t\r\n:;\u0000aZ0f-/%.,=\u0080\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void s9_pushrelay_reads_the_table_and_random_mutations_as_nginx_does_and_stores_only_true_bodies() throws IOException {
        long seed = Long.getLong("diff.seed", 20261207L);
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();
        TreeMap<String, Integer> kinds = new TreeMap<>();
        long start = System.nanoTime();
        int n = 0;
        int compared = 0;
        for (String row : TABLE) {
            compared += compare(row.replace("ID", "t" + n++).getBytes(StandardCharsets.ISO_8859_1), failures, kinds) ? 1 : 0;
        }
        int mutations = 0;
        for (; mutations < MUTATIONS && System.nanoTime() - start < TIME_BOUND_NS; mutations++) {
            String base = VALID[random.nextInt(VALID.length)].replace("ID", String.format("m%05dx", n++));
            compared += compare(mutate(random, base.getBytes(StandardCharsets.ISO_8859_1)), failures, kinds) ? 1 : 0;
        }
        System.out.printf("differential seed %d: %d table rows + %d mutations, %d compared, in %d ms, kinds %s%n", seed,
                TABLE.length, mutations, compared, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), kinds);
        assertEquals(List.of(), failures, "differences from nginx (reproduce with -Ddiff.seed=" + seed + ")");
    }

    @Test
    void s9_both_answer_http_1_0_with_an_http_1_1_status_line_and_http_1_0_keep_alive_rules() throws IOException {
        String[] requests = {
                "GET /pub?id=v10a HTTP/1.0\r\n\r\n",
                "GET /pub?id=v10b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "POST /pub?id=v10c HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi",
                "GET /nowhere HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        };
        for (String r : requests) {
            String[] answers = sendToBoth(r.getBytes(StandardCharsets.ISO_8859_1), 4 * SILENCE_MS);
            assertEquals(framing(answers[1]), framing(answers[0]), "pushrelay: " + answers[0] + "\nnginx: " + answers[1]);
        }
    }

    /** The status line's version, the Connection header and any Transfer-Encoding of an answer's head. */
    static String framing(String answer) {
        StringBuilder out = new StringBuilder(answer.startsWith("HTTP/") ? answer.substring(0, 8) : "none");
        for (String line : answer.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("connection:") || lower.startsWith("transfer-encoding:")) out.append(" | ").append(lower);
            if (line.isEmpty()) break;
        }
        return out.toString();
    }

    /** Sends {@code request} to both; @return false when it is one of the documented differences (not compared) */
    private boolean compare(byte[] request, List<String> failures, TreeMap<String, Integer> kinds) throws IOException {
        if (documentedDifference(request)) return false;
        String[] answers = sendToBoth(request, SILENCE_MS);
        if (!kind(answers[0]).equals(kind(answers[1])) && (answers[0].isEmpty() || answers[1].isEmpty())) {
            answers = sendToBoth(request, 4 * SILENCE_MS); // silence on a loaded machine may only be slowness
        }
        String ours = kind(answers[0]);
        String theirs = kind(answers[1]);
        kinds.merge(theirs, 1, Integer::sum);
        if (!ours.equals(theirs)) {
            failures.add("nginx " + theirs + ", pushrelay " + ours + " (" + firstLine(answers[0]) + "): " + printable(request));
            return true;
        }
        if (ours.equals("served") && answers[0].charAt(9) == '2') checkStored(request, failures);
        return true;
    }

    /**
     * The differences protocol.md §9 lists: an HTTP/0.9 request line (no version), empty lines
     * before the request line, a raw byte above 127, a space or a bad escape in the target.
     */
    static boolean documentedDifference(byte[] request) {
        int end = 0;
        while (end < request.length && request[end] != '\n' && request[end] != '\r') end++;
        String line = new String(request, 0, end, StandardCharsets.ISO_8859_1);
        if (end == 0) return true;
        int first = line.indexOf(' ');
        int last = line.lastIndexOf(' ');
        if (first < 0 || !line.substring(last + 1).startsWith("HTTP/")) return true;
        String target = line.substring(first, last).trim();
        if (target.contains(" ")) return true;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c > 127) return true;
            if (c == '%' && !(i + 2 < target.length() && isHex(target.charAt(i + 1)) && isHex(target.charAt(i + 2)))) return true;
        }
        return false;
    }

    /** What pushrelay stored for this publish must be the body a correct reading of {@code request} carries. */
    private void checkStored(byte[] request, List<String> failures) throws IOException {
        Decoded d = Decoded.of(request);
        if (d == null || d.channel == null || !(d.method.equals("POST") || d.method.equals("PUT"))) return;
        String info = answer(pushrelay.port(), ("GET /pub?id=" + d.channel + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 5000);
        if (!info.startsWith("HTTP/1.1 200")) {
            failures.add("published but no channel " + d.channel + ": " + printable(request));
            return;
        }
        String got = answer(pushrelay.port(), ("GET /sub?id=" + d.channel + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 5000);
        String body = got.substring(got.indexOf("\r\n\r\n") + 4);
        String want = new String(d.body, StandardCharsets.ISO_8859_1);
        if (!body.equals(want)) {
            failures.add("stored " + printable(body.getBytes(StandardCharsets.ISO_8859_1)) + " instead of "
                    + printable(d.body) + ": " + printable(request));
        }
        answer(pushrelay.port(), ("DELETE /pub?id=" + d.channel + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 5000);
    }

    /** The method, channel id and body of a request nginx accepted, read the simple way (no checks needed). */
    record Decoded(String method, String channel, byte[] body) {
        static Decoded of(byte[] r) {
            int[] pos = {0};
            String requestLine = line(r, pos);
            String[] parts = requestLine.trim().split(" +");
            if (parts.length < 3) return null;
            String channel = null;
            int q = parts[1].indexOf("id=");
            if (q >= 0 && (q == 0 || parts[1].charAt(q - 1) == '?' || parts[1].charAt(q - 1) == '&')) {
                String rest = parts[1].substring(q + 3);
                int amp = rest.indexOf('&');
                channel = amp >= 0 ? rest.substring(0, amp) : rest;
            }
            long length = -1;
            boolean chunked = false;
            while (true) {
                String h = line(r, pos);
                if (h == null || h.isEmpty()) break;
                int colon = h.indexOf(':');
                if (colon <= 0) continue;
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                if (name.equals("transfer-encoding")) chunked = value.equalsIgnoreCase("chunked");
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                while (true) {
                    String size = line(r, pos);
                    if (size == null) return null;
                    int stop = 0;
                    while (stop < size.length() && isHex(size.charAt(stop))) stop++;
                    long n = Long.parseLong(size.substring(0, stop), 16);
                    if (n == 0) break;
                    if (pos[0] + n > r.length) return null;
                    body.write(r, pos[0], (int) n);
                    pos[0] += (int) n;
                    line(r, pos); // the line end after the data
                }
            } else if (length > 0) {
                if (pos[0] + length > r.length) return null;
                body.write(r, pos[0], (int) length);
            }
            return new Decoded(parts[0], channel, body.toByteArray());
        }

        /** The next line without its LF or CRLF; null at the end. */
        private static String line(byte[] r, int[] pos) {
            if (pos[0] >= r.length) return null;
            int s = pos[0];
            int e = s;
            while (e < r.length && r[e] != '\n') e++;
            pos[0] = Math.min(r.length, e + 1);
            int end = e > s && r[e - 1] == '\r' ? e - 1 : e;
            return new String(r, s, end - s, StandardCharsets.ISO_8859_1);
        }
    }

    /** 1 to 3 of: flip, drop or insert a byte, double a line, change a letter's case. */
    static byte[] mutate(Random r, byte[] in) {
        byte[] b = in;
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> {
                    b = b.clone();
                    b[at] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
                }
                case 1 -> b = splice(b, at, 1, new byte[0]);
                case 2 -> b = splice(b, at, 0, new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]});
                case 3 -> {
                    int s = at;
                    while (s > 0 && b[s - 1] != '\n') s--;
                    int e = at;
                    while (e < b.length && b[e] != '\n') e++;
                    if (e < b.length) b = splice(b, e + 1, 0, java.util.Arrays.copyOfRange(b, s, e + 1));
                }
                default -> {
                    b = b.clone();
                    int c = b[at];
                    if (Character.isLetter(c)) b[at] = (byte) (Character.isUpperCase(c) ? c + 32 : c - 32);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(insert);
        out.write(b, at + remove, b.length - at - remove);
        return out.toByteArray();
    }

    /** Sends to both at once and reads each first answer's head (or the close, or silence). */
    private static String[] sendToBoth(byte[] request, int silenceMs) throws IOException {
        try (Socket ours = new Socket("127.0.0.1", pushrelay.port()); Socket theirs = new Socket("127.0.0.1", nginx.port())) {
            send(ours, request);
            send(theirs, request);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(silenceMs);
            return new String[] {readHead(ours, deadline), readHead(theirs, deadline)};
        }
    }

    private static void send(Socket s, byte[] request) {
        try {
            s.getOutputStream().write(request);
        } catch (IOException e) {
            // closed before it read everything: its answer still counts
        }
    }

    private static String answer(int port, byte[] request, int timeoutMs) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, request);
            s.setSoTimeout(timeoutMs);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Reads until the first answer's head is complete, the connection ends, or the deadline. */
    private static String readHead(Socket s, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        while (true) {
            String text = out.toString(StandardCharsets.ISO_8859_1);
            if (text.contains("\r\n\r\n")) return text;
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return text;
            s.setSoTimeout((int) left);
            try {
                int n = in.read(buf);
                if (n < 0) return text;
                out.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                return text;
            } catch (IOException e) {
                return text; // reset after the answer
            }
        }
    }

    private static String firstLine(String answer) {
        int e = answer.indexOf("\r\n");
        return e < 0 ? answer : answer.substring(0, e);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 400); i++) {
            int c = b[i] & 0xff;
            s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s + (b.length > 400 ? "... (" + b.length + " bytes)" : "");
    }
}
