package dev.pushrelay.it;

import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14.11: nchan's chunked and multipart/mixed subscribers, bytes on the wire. */
class HttpStreamsIT {

    private static final String CONF = """
            location /pub {
                nchan_publisher;
                nchan_channel_id $arg_id;
            }
            location /sub {
                push_subscriber;
                nchan_channel_id $arg_id;
            }
            location /chunked {
                nchan_subscriber chunked;
                nchan_channel_id $arg_id;
            }
            location /mux {
                nchan_subscriber multipart-mixed;
                nchan_channel_id a b;
            }
            """;

    /** A raw client: writes a request, reads the head, then the chunks of the body. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final String head;

        Client(TestServer server, String request) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            in = new DataInputStream(socket.getInputStream());
            StringBuilder b = new StringBuilder();
            while (!b.toString().endsWith("\r\n\r\n")) b.append((char) in.readUnsignedByte());
            head = b.toString();
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) return line.substring(colon + 1).strip();
            }
            return null;
        }

        /** The next chunk's framing and data, exactly as sent: "5\r\nhello\r\n". */
        String rawChunk() throws IOException {
            StringBuilder size = new StringBuilder();
            while (!size.toString().endsWith("\r\n")) size.append((char) in.readUnsignedByte());
            int n = Integer.parseInt(size.toString().strip(), 16);
            byte[] data = new byte[n + 2];
            in.readFully(data);
            return size + new String(data, StandardCharsets.ISO_8859_1);
        }

        /** Body bytes across chunks until {@code n} bytes were read. */
        String body(int n) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (b.size() < n) {
                String c = rawChunk();
                String data = c.substring(c.indexOf("\r\n") + 2, c.length() - 2);
                b.writeBytes(data.getBytes(StandardCharsets.ISO_8859_1));
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String httpDate(long seconds) {
        return DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(seconds));
    }

    @Test
    void s14_11_chunked_each_message_one_chunk_stored_then_live() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=k", "k1"));
            server.send(post("/pub?id=k", "k2", "Content-Type: text/x-k"));
            try (Client c = new Client(server, get("/sub?id=k", "TE: chunked"))) {
                assertTrue(c.head.startsWith("HTTP/1.1 200 OK\r\n"), c.head);
                assertEquals("chunked", c.header("Transfer-Encoding"));
                assertEquals(null, c.header("Content-Type"), "no type, as nchan");
                // Undertow writes a chunk's size in at least two hex digits (nginx: "2"); both are HTTP
                assertEquals("02\r\nk1\r\n", c.rawChunk());
                assertEquals("02\r\nk2\r\n", c.rawChunk());
                server.awaitSubscribers("/pub?id=k", 1);
                server.send(post("/pub?id=k", ""));
                server.awaitSubscribers("/pub?id=k", 1);
                server.send(post("/pub?id=k", "live!"));
                assertEquals("05\r\nlive!\r\n", c.rawChunk(), "an empty message is no chunk (it would end the body)");
                server.awaitSubscribers("/pub?id=k", 1);
                assertEquals(200, server.send(request("DELETE", "/pub?id=k", null)).status());
                assertEquals("0\r\n\r\n", c.rawChunk(), "deleting the channel ends the response");
            }
            assertEquals(403, server.send(get("/chunked?id=k")).status(), "chunked only: a plain GET is refused");
            assertEquals(403, server.send(get("/chunked?id=k", "TE: chunked;q=0")).status());
        }
    }

    @Test
    void s14_11_multipart_each_message_one_part_with_its_cursor_across_channels() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = server.clock().epochSecond();
            server.send(post("/pub?id=a", "a1"));
            server.send(post("/pub?id=b", "b1", "Content-Type: text/x-b"));
            try (Client c = new Client(server, get("/mux", "Accept: multipart/mixed"))) {
                String type = c.header("Content-Type");
                assertTrue(type.matches("multipart/mixed; boundary=[A-Za-z0-9+/]{32}"), type);
                String boundary = type.substring(type.indexOf('=') + 1);
                String first = "--" + boundary;
                String a1 = "\r\nLast-Modified: " + httpDate(t) + "\r\nEtag: [0],-\r\n\r\na1\r\n--" + boundary;
                String b1 = "\r\nLast-Modified: " + httpDate(t) + "\r\nEtag: 0,[0]\r\nContent-Type: text/x-b\r\n\r\nb1\r\n--"
                        + boundary;
                assertEquals(first + a1 + b1, c.body(first.length() + a1.length() + b1.length()));
                server.awaitSubscribers("/pub?id=a", 1);
                assertEquals(200, server.send(request("DELETE", "/pub?id=a", null)).status());
                assertEquals("--\r\n", c.body(4), "the close delimiter ends the body");
                assertEquals("0\r\n\r\n", c.rawChunk());
            }
            try (Client c = new Client(server, get("/mux?cursor=" + t + ":[0],-", "Accept: multipart/mixed"))) {
                String boundary = c.header("Content-Type").substring(c.header("Content-Type").indexOf('=') + 1);
                String expected = "--" + boundary + "\r\nLast-Modified: " + httpDate(t)
                        + "\r\nEtag: 0,[0]\r\nContent-Type: text/x-b\r\n\r\nb1\r\n--" + boundary;
                assertEquals(expected, c.body(expected.length()), "resumed after a1: b1 only");
            }
        }
    }
}
