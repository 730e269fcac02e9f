package dev.pushrelay.it;

import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import dev.pushrelay.testing.WebSocketEvents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** protocol.md §14.9: publishing over WebSocket, as nchan's nchan_publisher websocket. */
class WebSocketPublisherIT {

    private static final String CONF = """
            location /pub {
                nchan_publisher;
                nchan_channel_id $arg_id;
            }
            location /pubhttp {
                nchan_publisher http;
                nchan_channel_id $arg_id;
            }
            location /pubws {
                nchan_publisher websocket;
                nchan_channel_id $arg_id;
                client_max_body_size 16;
            }
            location /legacy {
                push_publisher;
                nchan_channel_id $arg_id;
            }
            location /sub {
                nchan_subscriber;
                nchan_channel_id $arg_id;
            }
            """;

    private static WebSocket connect(TestServer server, String target, WebSocketEvents seen, String... headers) throws Exception {
        var b = HttpClient.newHttpClient().newWebSocketBuilder();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + target), seen).get(15, TimeUnit.SECONDS);
    }

    @Test
    void s14_9_each_message_is_published_and_answered_with_the_channel_info_a_post_gets() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            WebSocketEvents seen = new WebSocketEvents();
            WebSocket ws = connect(server, "/pub?id=a", seen, "Content-Type", "text/x-chat");
            ws.sendText("hello", true).get(15, TimeUnit.SECONDS);
            String viaPost = server.send(post("/pub?id=b", "hello")).text();
            assertEquals("text:" + viaPost, seen.next(), "the same info as a POST on a channel in the same state");
            RawResponse first = server.send(get("/sub?id=a"));
            assertEquals("hello", first.text());
            assertEquals("text/x-chat", first.header("Content-Type"), "a text message takes the upgrade's Content-Type");

            ws.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}), true).get(15, TimeUnit.SECONDS);
            assertEquals("text:queued messages: 2\r\n", seen.next().substring(0, 25));
            RawResponse second = server.send(dev.pushrelay.testing.RawHttp.next("/sub?id=a", first));
            assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, second.body());
            assertEquals("application/octet-stream", second.header("Content-Type"), "binary: nchan's type");

            var waiting = server.open(dev.pushrelay.testing.RawHttp.next("/sub?id=a", second));
            server.awaitSubscribers("/pub?id=a", 1);
            ws.sendText("live", true).get(15, TimeUnit.SECONDS);
            assertEquals("live", waiting.read().text(), "a waiting subscriber gets it at once");
            assertEquals("text:queued messages: 3\r\n", seen.next().substring(0, 25));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(15, TimeUnit.SECONDS);
            assertEquals("close:1000 bye", seen.next());
        }
    }

    @Test
    void s14_9_the_info_frame_follows_the_upgrades_accept_and_a_legacy_publisher_takes_websockets_too()
            throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            WebSocketEvents seen = new WebSocketEvents();
            WebSocket ws = connect(server, "/legacy?id=j", seen, "Accept", "application/json");
            ws.sendText("x", true).get(15, TimeUnit.SECONDS);
            String viaPost = server.send(post("/legacy?id=k", "x", "Accept: application/json")).text();
            assertEquals("text:" + viaPost, seen.next());
            ws.abort();
        }
    }

    @Test
    void s14_9_a_transport_the_location_does_not_take_is_403_as_nchan() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> connect(server, "/pubhttp?id=a", new WebSocketEvents()));
            assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
            RawResponse post = server.send(post("/pubws?id=a", "x"));
            assertEquals("HTTP/1.1 403 Forbidden", post.statusLine(), "websocket only: a POST is refused");
            assertEquals("0", post.header("Content-Length"));
            assertEquals(403, server.send(get("/pubws?id=a")).status());
            assertEquals(202, server.send(post("/pubhttp?id=a", "x")).status());
        }
    }

    @Test
    void s14_9_a_message_over_client_max_body_size_closes_1009_and_publishes_nothing() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            WebSocketEvents seen = new WebSocketEvents();
            WebSocket ws = connect(server, "/pubws?id=big", seen);
            ws.sendText("sixteen bytes ok", true).get(15, TimeUnit.SECONDS);
            assertEquals("text:queued messages: 1\r\n", seen.next().substring(0, 25));
            ws.sendText("seventeen bytes!!", true);
            assertEquals("close:1009 UT002040: Message exceeded max message size of 16", seen.next(), "Undertow's words");
            assertEquals("queued messages: 1\r\n", server.send(get("/pub?id=big")).text().substring(0, 20));
        }
    }

    @Test
    void s14_9_the_bytes_on_the_wire_one_masked_text_frame_in_one_text_frame_out() throws Exception {
        try (TestServer server = TestServer.start(CONF);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /pubws?id=raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(s.getInputStream());
            String head = readHead(in);
            assertEquals("HTTP/1.1 101 Switching Protocols", head.substring(0, head.indexOf("\r\n")));
            assertEquals(true, head.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
            byte[] mask = {1, 2, 3, 4};
            byte[] payload = "hi".getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            frame.write(0x80 | payload.length);
            frame.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
            out.write(frame.toByteArray());
            assertEquals(0x81, in.readUnsignedByte(), "FIN + text");
            int len = in.readUnsignedByte();
            byte[] info = new byte[len];
            in.readFully(info);
            String viaPost = server.send(post("/pubhttp?id=raw2", "hi")).text();
            assertEquals(viaPost, new String(info, StandardCharsets.US_ASCII), "unmasked, one frame");
            assertEquals("hi", server.send(get("/sub?id=raw")).text());

            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, (byte) 0xc3, 0x28}); // not UTF-8
            assertEquals(0x88, in.readUnsignedByte(), "FIN + close");
            byte[] close = new byte[in.readUnsignedByte()];
            in.readFully(close);
            assertEquals(1007, ((close[0] & 0xff) << 8) | (close[1] & 0xff));
            assertEquals("hi", server.send(get("/sub?id=raw")).text(), "nothing more was published");
            assertEquals(202, server.send(post("/pubhttp?id=raw", "after")).status());
            assertEquals("queued messages: 2\r\n", server.send(get("/pubhttp?id=raw")).text().substring(0, 20));
        }
    }

    private static String readHead(DataInputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) b.append((char) in.readUnsignedByte());
        return b.toString();
    }
}
