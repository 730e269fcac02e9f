package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * protocol.md §9: the answer to a refused or failed request is nginx 1.22.1's: the status line,
 * the same header lines (their order aside, and but for nginx's Date and Server), the error
 * page byte for byte with its signature, for a HEAD the page's Content-Length and no body, and
 * the connection closed or not as nginx leaves it. Each request goes to Debian's nginx and to
 * pushrelay on the same server block, on a connection of its own, read until the close.
 */
@Tag(ExternalPrograms.NGINX)
@ExtendWith(ExternalPrograms.class)
class NginxRefusalPagesIT {

    private static final String SERVER = """
            root %1$s/html;
            location /r404 { return 404; }
            location /r403 { return 403; }
            location /r500 { return 500; }
            """;

    private static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pushrelay-refusal-pages");
        Path html = Files.createDirectories(dir.resolve("html"));
        Files.writeString(html.resolve("a.txt"), "hello static\n");
        try (var files = Files.walk(dir)) { // nginx's workers run as nobody when the tests run as root
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        servers = SideBySide.start("nginx-refusal-pages", dir, SERVER.formatted(dir),
                who -> who.equals("nginx") ? " client_body_temp_path " + dir + "/logs;\n" : "");
    }

    @AfterAll
    static void stop() throws IOException {
        if (servers != null) servers.close();
    }

    static Stream<String> requests() {
        String longLine = "/" + "a".repeat(9 * 1024);
        String longHeader = "X-Big: " + "b".repeat(9 * 1024) + "\r\n";
        String close = "Connection: close\r\n";
        return Stream.of(
                // refused while the head is read: 400, 414, 400 Request Header Or Cookie Too Large
                "GARBAGE\r\n\r\n",
                "get /a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n",
                "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
                "GET /a.txt HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n",
                "GET /a.txt HTTP/1.1\r\n\r\n",
                "GET " + longLine + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /a.txt HTTP/1.1\r\nHost: x\r\n" + longHeader + "\r\n",
                "HEAD /a.txt HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n",
                "HEAD " + longLine + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n" + longHeader + "\r\n",
                // refused for its body framing: 400, 501, and 505 for the version
                "POST /r404 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                "POST /r404 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                "GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n",
                // error pages of locations, GET and HEAD
                "GET /r404 HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "HEAD /r404 HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "HEAD /r403 HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "HEAD /r500 HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "GET /none.txt HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "HEAD /none.txt HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + close + "\r\n",
                "DELETE /a.txt HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                "HEAD /none.txt HTTP/1.0\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("requests")
    void s9_the_answer_is_nginx_s_byte_for_byte(String request) throws IOException {
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        String what = request.length() > 80 ? request.substring(0, 80) + "..." : request;
        assertEquals(seen(servers.nginxPort(), bytes), seen(servers.pushrelayPort(), bytes), what);
    }

    /** The answer with its header lines sorted (Undertow and nginx write them in different orders). */
    private static String seen(int port, byte[] request) throws IOException {
        RawSocket.Result r = RawSocket.sendAndRead(port, request);
        String text = r.text();
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return text + (r.closed() ? "[closed]" : "[open]");
        String[] lines = text.substring(0, end).split("\r\n");
        List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
        headers.removeIf(h -> h.startsWith("Date: ") || h.startsWith("Server: "));
        Collections.sort(headers);
        return lines[0] + "\n" + String.join("\n", headers) + "\n\n" + text.substring(end + 4)
                + (r.closed() ? "[closed]" : "[open]");
    }
}
