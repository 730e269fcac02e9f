package dev.pushrelay.it;

import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response heads byte for byte (the Date line aside) where Undertow's defaults differ from
 * the module on nginx (issue 14, protocol.md §12): a push endpoint's 304 keeps
 * {@code Content-Length: 0}, and the answer to an HTTP/1.0 request says {@code HTTP/1.1}
 * with HTTP/1.0's framing (no chunks, keep-alive only when asked for).
 */
class WireBytesIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
                push_subscriber_timeout 1s;
            }
            location /ipoll {
                set $push_channel_id $arg_id;
                push_subscriber interval-poll;
            }
            """;

    static TestServer server;
    static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = TestServer.start(CONF);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String fresh() {
        return "b" + ids.incrementAndGet();
    }

    /** Sends {@code request}, reads to the close, and returns the answers without their Date lines. */
    static String answer(String request) throws IOException {
        RawSocket.Result r = RawSocket.sendAndRead(server.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(r.closed(), "connection closed after: " + r.text());
        return withoutDate(r.text());
    }

    static String withoutDate(String text) {
        return text.replaceAll("Date: [^\r]*\r\n", "");
    }

    static final String NOT_MODIFIED = "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n";
    static final String NOT_MODIFIED_CLOSE = "HTTP/1.1 304 Not Modified\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

    static String notFoundClose() {
        String page = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>"
                + "\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
        return "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: " + page.length()
                + "\r\n\r\n" + page;
    }

    @Test
    void s4_3_a_subscriber_timeout_is_304_with_content_length_0_on_a_kept_connection() throws IOException {
        String id = fresh();
        // the second long-poll, pipelined, is answered on the same connection: the 304 framed nothing more
        assertEquals(NOT_MODIFIED + NOT_MODIFIED_CLOSE, answer("GET /sub?id=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /sub?id=" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void s4_5_an_interval_poll_with_nothing_new_is_304_with_content_length_0() throws IOException {
        String id = fresh();
        assertEquals("HTTP/1.1 304 Not Modified\r\nEtag: 3\r\nContent-Length: 0\r\n\r\n" + NOT_MODIFIED_CLOSE,
                answer("GET /ipoll?id=" + id + " HTTP/1.1\r\nHost: x\r\nIf-None-Match: 3\r\n\r\n"
                        + "GET /ipoll?id=" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void s12_an_http_1_0_request_is_answered_with_an_http_1_1_status_line_and_closed() throws IOException {
        assertEquals(notFoundClose(), answer("GET /nowhere HTTP/1.0\r\n\r\n"));
        assertEquals(NOT_MODIFIED_CLOSE, answer("GET /sub?id=" + fresh() + " HTTP/1.0\r\n\r\n"));
    }

    @Test
    void s12_an_http_1_0_client_that_asks_for_keep_alive_gets_it_named_and_kept() throws IOException {
        String id = fresh();
        assertEquals(202, RawSocket.sendAndRead(server.port(), ("POST /pub?id=" + id
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello")
                .getBytes(StandardCharsets.ISO_8859_1)).status());
        String got = answer("GET /sub?id=" + id + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /sub?id=" + fresh() + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /nowhere HTTP/1.0\r\n\r\n");
        String first = got.substring(0, got.indexOf("hello") + 5);
        assertTrue(first.startsWith("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"), first);
        assertTrue(first.endsWith("\r\nContent-Length: 5\r\n\r\nhello"), first);
        assertEquals(first + NOT_MODIFIED.replace("Modified\r\n", "Modified\r\nConnection: keep-alive\r\n") + notFoundClose(), got);
    }

    @Test
    void s12_an_http_1_0_client_never_gets_chunks() throws IOException {
        // a body of unknown length (the channel info of a publisher GET is sent as one buffer) is
        // close-delimited or counted, never chunked, whatever the client asked for
        String id = fresh();
        RawSocket.sendAndRead(server.port(), ("POST /pub?id=" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: 1\r\n\r\nx").getBytes(StandardCharsets.ISO_8859_1));
        String got = answer("GET /pub?id=" + id + " HTTP/1.0\r\nConnection: keep-alive\r\nAccept: text/json\r\n\r\n"
                + "GET /nowhere HTTP/1.0\r\n\r\n");
        assertTrue(got.startsWith("HTTP/1.1 200 OK\r\n"), got);
        assertFalse(got.contains("Transfer-Encoding"), got);
        assertTrue(got.endsWith(notFoundClose()), got);
    }
}
