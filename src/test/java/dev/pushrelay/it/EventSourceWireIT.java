package dev.pushrelay.it;

import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.2, §14.3 byte for byte: each event is one chunk built once per message and
 * written under Undertow's conduits; HTTP/1.0 gets the close-delimited body, and the response
 * still ends as HTTP says.
 */
class EventSourceWireIT {

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) throw new AssertionError("ended before " + end + ": " + got.toString(StandardCharsets.ISO_8859_1));
            got.write(b);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static String rest(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void s14_2_http11_events_are_exact_chunks_and_the_last_chunk_ends_the_response() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(15_000);
            long t0 = server.clock().epochSecond();
            s.getOutputStream().write("GET /activity?id=c HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), head);
            assertEquals("3\r\n:\n\n\r\n", readUntil(in, ":\n\n\r\n"));
            server.awaitSubscribers("/publish?id=c", 1);
            server.send(post("/publish?id=c", "one\ntwo"));
            String event = "id: " + t0 + ":0\ndata: one\ndata: two\n\n";
            assertEquals(Integer.toHexString(event.length()) + "\r\n" + event + "\r\n", readUntil(in, "\n\n\r\n"));
            assertEquals(200, server.send(request("DELETE", "/publish?id=c", null)).status());
            String close = "event: pushrelay-close\ndata: channel deleted\n\n";
            assertEquals(Integer.toHexString(close.length()) + "\r\n" + close + "\r\n0\r\n\r\n", readUntil(in, "0\r\n\r\n"));
            // the connection stays open for the next request
            s.getOutputStream().write("GET /publish?id=c HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readUntil(in, "\r\n\r\n").startsWith("HTTP/1.1 404 "));
        }
    }

    @Test
    void s14_2_http10_gets_the_events_close_delimited() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(15_000);
            long t0 = server.clock().epochSecond();
            s.getOutputStream().write("GET /activity?id=o HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertTrue(head.matches("(?s)HTTP/1\\.[01] 200 .*"), head);
            assertTrue(!head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding"), head);
            server.awaitSubscribers("/publish?id=o", 1);
            server.send(post("/publish?id=o", "hello"));
            assertEquals(200, server.send(request("DELETE", "/publish?id=o", null)).status());
            assertEquals(":\n\nid: " + t0 + ":0\ndata: hello\n\nevent: pushrelay-close\ndata: channel deleted\n\n", rest(in),
                    "then the end of the connection");
        }
    }
}
