package dev.pushrelay.it;

import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §9: a request refused while it is read is in the access log as nginx 1.22
 * logs it (checked by hand against Debian's nginx on loopback): the server's access_log,
 * the status and the page's bytes, and for {@code $request} the refused request's line as
 * far as it was read, up to the first CR or LF, at most large_client_header_buffers' size
 * (a 414's line is cut there).
 */
class RefusalAccessLogIT {

    private static final String CONF = """
            access_log access.log;
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            """;

    private static void send(TestServer server, String request) throws IOException {
        RawSocket.Result r = RawSocket.sendAndRead(server.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(r.closed(), "closed after a refusal: " + r.text());
    }

    @Test
    void s9_refused_requests_are_logged_with_the_line_nginx_read() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            Path log = server.dir().resolve("access.log");
            String longTarget = "/pub?id=" + "a".repeat(70_000);
            String[] requests = {
                    "get /pub?id=a HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /pub?id=a HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n",
                    "GET " + longTarget + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /pub?id=a HTTP/1.1\r\nHost: x\r\nX-Long: " + "b".repeat(9000) + "\r\n\r\n",
                    "GET /pub?id=a HTTP/2.0\r\nHost: x\r\n\r\n",
                    "TRACE /pub?id=a HTTP/1.1\r\nHost: x\r\n\r\n",
            };
            for (String r : requests) send(server, r);
            List<String> lines = AccessLogIT.awaitLines(log, requests.length);
            String[] expected = {
                    "\"get /pub?id=a HTTP/1.1\" 400 157 ",
                    "\"GET /pub?id=a HTTP/1.1\" 400 157 ",
                    "\"" + ("GET " + longTarget).substring(0, 8192) + "\" 414 177 ",
                    "\"GET /pub?id=a HTTP/1.1\" 400 233 ", // nginx's 494 page
                    "\"GET /pub?id=a HTTP/2.0\" 505 187 ",
                    "\"TRACE /pub?id=a HTTP/1.1\" 405 157 ",
            };
            // a line is written when its exchange completes, which may be after the client saw
            // the close and sent the next request: compare regardless of order
            List<String> seen = new java.util.ArrayList<>();
            for (String line : lines) {
                assertTrue(line.startsWith("127.0.0.1 - - ["), line);
                seen.add(line.substring(line.indexOf("] ") + 2));
            }
            List<String> want = new java.util.ArrayList<>();
            for (String e : expected) want.add(e + "\"-\" \"-\"");
            java.util.Collections.sort(seen);
            java.util.Collections.sort(want);
            assertEquals(want, seen);
        }
    }
}
