package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * protocol.md §9, a body nobody reads: static files and {@code return} answer as Debian's
 * nginx does when a request carries a body they do not use (ngx_http_discard_request_body).
 * The part of the body that has arrived is read and dropped first: broken chunk framing
 * there is nginx's 400 and a close; a body still arriving does not hold the answer back
 * (a HEAD or header-only answer goes out at once), and a fault found in it later closes the
 * connection after the answer. Each answer is compared with nginx's (status line,
 * Content-Type, Content-Length (a HEAD's too), Location, body, closed or not), and
 * the refusals with their exact bytes.
 */
@Tag(ExternalPrograms.NGINX)
@ExtendWith(ExternalPrograms.class)
class NginxUnreadBodyIT {

    private static final String SERVER = """
            default_type application/octet-stream;
            types { text/plain txt; }
            root %1$s/html;
            location /r200 { return 200 text; }
            location /r302 { return 302 http://example.com/x; }
            location /r404 { return 404; }
            location /alias/ { alias %1$s/html/; }
            location /small/ { client_max_body_size 4; alias %1$s/html/; }
            location /smallr { client_max_body_size 4; return 200 text; }
            """;

    private static final String[] TARGETS = {"/a.txt", "/alias/a.txt", "/r200", "/r302", "/r404", "/none.txt"};

    private static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pushrelay-unread-body");
        Path html = Files.createDirectories(dir.resolve("html"));
        Files.writeString(html.resolve("a.txt"), "hello static\n");
        try (var files = Files.walk(dir)) { // nginx's workers run as nobody when the tests run as root
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        String server = SERVER.formatted(dir);
        servers = SideBySide.start("nginx-unread-body", dir, server,
                who -> who.equals("nginx") ? " client_body_temp_path " + dir + "/logs;\n" : "");
    }

    @AfterAll
    static void stop() throws IOException {
        if (servers != null) servers.close();
    }

    /** What a client sees on one connection: the answers, and whether the server closed. */
    record Seen(List<String> answers, boolean closed) {
        @Override
        public String toString() {
            return String.join("\n", answers) + (closed ? "\n[closed]" : "\n[open]");
        }
    }

    /** How long a server that answered everything expected must stay silent to count as open. */
    private static final int SILENCE = 700;
    /** How long a close the other server made is waited for. */
    private static final int CLOSE_WAIT = 5_000;

    private static final Pattern LENGTH = Pattern.compile("(?i)\r\nContent-Length: (\\d+)\r\n");

    /**
     * Sends {@code parts} in turn on one connection, reading {@code answersAfter[i]} answers after
     * part i; then reads on until the server closes or is silent for {@code silenceMillis}.
     * Answers are reduced to what both servers must agree on.
     */
    static Seen exchange(int port, boolean head, String[] parts, int[] answersAfter, int silenceMillis)
            throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            List<String> answers = new ArrayList<>();
            StringBuilder buf = new StringBuilder();
            boolean closed = false;
            for (int i = 0; i < parts.length && !closed; i++) {
                try {
                    s.getOutputStream().write(parts[i].getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    closed = true;
                }
                int want = answers.size() + answersAfter[i];
                while (answers.size() < want && !closed) {
                    String a = cut(buf, head);
                    if (a != null) {
                        answers.add(a);
                        continue;
                    }
                    closed = !readMore(in, buf);
                }
            }
            // what else comes, until a close or a short silence (the answers expected are in)
            s.setSoTimeout(closed ? 1 : silenceMillis);
            while (!closed) {
                try {
                    closed = !readMore(in, buf);
                } catch (SocketTimeoutException e) {
                    break;
                }
            }
            for (String a; (a = cut(buf, head)) != null; ) answers.add(a);
            if (!buf.isEmpty()) answers.add("[partial] " + buf);
            return new Seen(answers, closed);
        }
    }

    private static boolean readMore(InputStream in, StringBuilder buf) throws IOException {
        byte[] b = new byte[8192];
        int n;
        try {
            n = in.read(b);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return false; // reset
        }
        if (n < 0) return false;
        buf.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
        return true;
    }

    /** Takes one whole answer off the front of {@code buf}, reduced; null when none is whole yet. */
    private static String cut(StringBuilder buf, boolean head) {
        int end = buf.indexOf("\r\n\r\n");
        if (end < 0) return null;
        String h = buf.substring(0, end + 2);
        Matcher m = LENGTH.matcher(h);
        int length = head || !m.find() ? 0 : Integer.parseInt(m.group(1));
        if (buf.length() < end + 4 + length) return null;
        String body = buf.substring(end + 4, end + 4 + length);
        buf.delete(0, end + 4 + length);
        StringBuilder r = new StringBuilder(h.substring(0, h.indexOf("\r\n")));
        for (String name : new String[] {"Content-Type", "Content-Length", "Location"}) {
            Matcher v = Pattern.compile("(?i)\r\n" + name + ": ([^\r]*)\r\n").matcher(h);
            if (!v.find()) continue;
            r.append(" | ").append(name).append(": ").append(v.group(1));
        }
        return r.append(" | ").append(body).toString();
    }

    static void assertSame(String what, boolean head, String[] parts, int[] answersAfter) throws IOException {
        // A close that one server makes is waited for on the other for longer than the usual
        // short silence, so a loaded machine's late close is not taken for an open connection.
        Seen n = exchange(servers.nginxPort(), head, parts, answersAfter, SILENCE);
        Seen p = exchange(servers.pushrelayPort(), head, parts, answersAfter, n.closed() ? CLOSE_WAIT : SILENCE);
        if (p.closed() && !n.closed()) n = exchange(servers.nginxPort(), head, parts, answersAfter, CLOSE_WAIT);
        assertEquals(n.toString(), p.toString(), what);
    }

    static String request(String method, String target, String version, String headers) {
        return method + " " + target + " " + version + "\r\nHost: x\r\n" + headers + "\r\n";
    }

    @Test
    void s9_get_and_head_with_and_without_keep_alive_answer_as_nginx() throws IOException {
        for (String target : TARGETS) {
            for (String method : new String[] {"GET", "HEAD"}) {
                boolean head = method.equals("HEAD");
                for (String version : new String[] {"HTTP/1.0", "HTTP/1.1"}) {
                    String keep = version.equals("HTTP/1.0") ? "Connection: keep-alive\r\n" : "";
                    String r = request(method, target, version, keep);
                    String last = request(method, target, version, "Connection: close\r\n");
                    assertSame(method + " " + target + " " + version, head, new String[] {r + r + last},
                            new int[] {3});
                }
            }
        }
    }

    @Test
    void s9_a_whole_unread_body_is_dropped_and_the_next_request_served() throws IOException {
        for (String target : TARGETS) {
            for (String method : new String[] {"GET", "HEAD", "POST", "DELETE"}) {
                boolean head = method.equals("HEAD");
                String next = request(method, target, "HTTP/1.1", "Connection: close\r\n");
                String chunked = request(method, target, "HTTP/1.1", "Transfer-Encoding: chunked\r\n")
                        + "5\r\nhello\r\n0\r\n\r\n";
                String sized = request(method, target, "HTTP/1.1", "Content-Length: 5\r\n") + "hello";
                assertSame(method + " " + target + " chunked", head, new String[] {chunked + next}, new int[] {2});
                assertSame(method + " " + target + " sized", head, new String[] {sized + next}, new int[] {2});
            }
        }
    }

    @Test
    void s9_broken_chunk_framing_already_read_is_400_where_the_answer_uses_no_body() throws IOException {
        for (String target : TARGETS) {
            for (String method : new String[] {"GET", "HEAD", "POST"}) {
                for (String framing : new String[] {"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n"}) {
                    String r = request(method, target, "HTTP/1.1", "Transfer-Encoding: chunked\r\n") + framing;
                    assertSame(method + " " + target + " " + framing, method.equals("HEAD"), new String[] {r},
                            new int[] {1});
                }
            }
        }
        // the exact bytes: nginx's 400 page, and the connection closed
        String r = request("GET", "/r200", "HTTP/1.1", "Transfer-Encoding: chunked\r\n") + "zz\r\nhello\r\n0\r\n\r\n";
        var whole = dev.pushrelay.testing.RawSocket.sendAndRead(servers.pushrelayPort(), r.getBytes(StandardCharsets.ISO_8859_1));
        String page = "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request"
                + "</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
        assertEquals("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: "
                + page.length() + "\r\n\r\n" + page + "[closed]",
                whole.text().replaceAll("Date: [^\r]*\r\n", "") + (whole.closed() ? "[closed]" : "[open]"));
    }

    @Test
    void s9_a_body_still_arriving_does_not_hold_the_answer_and_a_later_fault_closes() throws IOException {
        for (String target : TARGETS) {
            for (String method : new String[] {"GET", "HEAD"}) {
                boolean head = method.equals("HEAD");
                String chunkedHead = request(method, target, "HTTP/1.1", "Transfer-Encoding: chunked\r\n");
                // answered before the body ends; the rest of the body then read and dropped
                assertSame(method + " " + target + " partial chunked", head,
                        new String[] {chunkedHead + "5\r\nhel", "lo\r\n0\r\n\r\n"
                                + request(method, target, "HTTP/1.1", "Connection: close\r\n")}, new int[] {1, 1});
                assertSame(method + " " + target + " partial sized", head,
                        new String[] {request(method, target, "HTTP/1.1", "Content-Length: 10\r\n") + "hel"},
                        new int[] {1});
                // the framing breaks after the answer went out: the connection closes
                assertSame(method + " " + target + " fault later", head,
                        new String[] {chunkedHead, "zz\r\nhello\r\n0\r\n\r\n"}, new int[] {1, 0});
            }
        }
    }

    @Test
    void s3_1_a_declared_body_over_the_locations_limit_is_413_on_every_kind_of_location() throws IOException {
        for (String target : new String[] {"/small/a.txt", "/smallr"}) {
            for (String method : new String[] {"GET", "HEAD", "POST"}) {
                boolean head = method.equals("HEAD");
                String next = request(method, target, "HTTP/1.1", "Connection: close\r\n");
                // over the limit: 413 and closed, the next request never answered
                assertSame(method + " " + target + " over", head, new String[] {
                        request(method, target, "HTTP/1.1", "Content-Length: 5\r\n") + "hello" + next}, new int[] {1});
                // at the limit: the location's own answer, and the next request served
                assertSame(method + " " + target + " at", head, new String[] {
                        request(method, target, "HTTP/1.1", "Content-Length: 4\r\n") + "hell" + next}, new int[] {2});
            }
        }
    }
}
