package dev.pushrelay.it;

import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import dev.pushrelay.testing.WebSocketEvents;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14.6: WebSocket on a subscriber location, with the JDK's own client. */
class WebSocketIT {

    private static WebSocket connect(TestServer server, String target, WebSocketEvents seen, String... subprotocol) throws Exception {
        var b = HttpClient.newHttpClient().newWebSocketBuilder();
        if (subprotocol.length > 0) b.subprotocols(subprotocol[0]);
        return b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + target), seen).get(15, TimeUnit.SECONDS);
    }

    @Test
    void s14_6_each_message_is_one_frame_text_for_text_types_binary_otherwise() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            server.send(post("/publish?id=a", "hello", "Content-Type: text/plain"));
            server.send(request("POST", "/publish?id=a", new byte[] {(byte) 0xff, 0, 1}, "Content-Type: application/octet-stream"));
            server.send(request("POST", "/publish?id=a", new byte[] {(byte) 0xc3}, "Content-Type: text/plain"));
            server.send(post("/publish?id=a", "no type"));
            WebSocketEvents seen = new WebSocketEvents();
            WebSocket ws = connect(server, "/activity?id=a", seen);
            assertEquals("", ws.getSubprotocol());
            assertEquals("text:hello", seen.next());
            assertEquals("binary:ff0001", seen.next());
            assertEquals("binary:c3", seen.next(), "a text type that is not UTF-8 goes as binary");
            assertEquals("text:no type", seen.next(), "no type: the location's default_type text/plain");
            server.awaitSubscribers("/publish?id=a", 1);
            assertEquals(201, server.send(post("/publish?id=a", "live")).status());
            assertEquals("text:live", seen.next());
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(15, TimeUnit.SECONDS);
            server.awaitSubscribers("/publish?id=a", 0);
        }
    }

    @Test
    void s14_6_the_meta_subprotocol_carries_each_id_and_the_token_resumes() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            server.send(post("/publish?id=a", "one", "Content-Type: text/plain"));
            server.send(post("/publish?id=a", "two", "Content-Type: text/x-two"));
            WebSocketEvents seen = new WebSocketEvents();
            WebSocket ws = connect(server, "/activity?id=a", seen, "ws+meta.nchan");
            assertEquals("ws+meta.nchan", ws.getSubprotocol());
            assertEquals("text:id: " + t0 + ":0\ncontent-type: text/plain\n\none", seen.next());
            assertEquals("text:id: " + t0 + ":1\ncontent-type: text/x-two\n\ntwo", seen.next());
            ws.abort();
            WebSocketEvents resumed = new WebSocketEvents();
            connect(server, "/activity?id=a&cursor=" + t0 + ":0", resumed);
            assertEquals("text:two", resumed.next());
        }
    }

    @Test
    void s14_6_close_codes_say_why() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            WebSocketEvents deleted = new WebSocketEvents();
            connect(server, "/activity?id=a", deleted);
            server.awaitSubscribers("/publish?id=a", 1);
            assertEquals(200, server.send(request("DELETE", "/publish?id=a", null)).status());
            assertEquals("close:4410 channel deleted", deleted.next());

            WebSocketEvents stopping = new WebSocketEvents();
            connect(server, "/activity?id=b", stopping);
            server.awaitSubscribers("/publish?id=b", 1);
            CompletableFuture<List<String>> stop = CompletableFuture.supplyAsync(() -> server.server().stop());
            assertEquals("close:1001 server stopping", stopping.next());
            List<String> notes = stop.get(30, TimeUnit.SECONDS);
            assertTrue(notes.stream().noneMatch(n -> n.contains("cut off")), notes.toString());
        }
    }

    @Test
    void s14_6_first_refuses_a_second_subscriber_with_4409() throws Exception {
        String conf = Confs.SEED.replace("push_subscriber_concurrency broadcast;", "push_subscriber_concurrency first;");
        try (TestServer server = TestServer.start(conf)) {
            WebSocketEvents holder = new WebSocketEvents();
            connect(server, "/activity?id=a", holder);
            server.awaitSubscribers("/publish?id=a", 1);
            WebSocketEvents second = new WebSocketEvents();
            connect(server, "/activity?id=a", second);
            assertEquals("close:4409 conflict", second.next());
        }
    }

    @Test
    void s14_6_bad_handshakes_and_tokens_are_400_and_create_nothing() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> connect(server, "/activity?id=a&cursor=nope", new WebSocketEvents()));
            WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(400, h.getResponse().statusCode());
            RawResponse noKey = server.send(get("/activity?id=a", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13"));
            assertEquals(400, noKey.status());
            assertEquals("Bad WebSocket handshake\n", noKey.text());
            RawResponse badVersion = server.send(get("/activity?id=a", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 99", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
            assertEquals(400, badVersion.status());
            assertEquals(404, server.send(get("/publish?id=a")).status(), "no channel was created");
        }
    }

    @Test
    void s14_10_a_deflate_offer_it_cannot_honour_is_declined_and_frames_go_uncompressed() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET /activity?id=z HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.readUnsignedByte());
            assertTrue(head.toString().startsWith("HTTP/1.1 101 "), head.toString());
            assertFalse(head.toString().toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions"),
                    "the extension is not agreed: " + head);
            server.awaitSubscribers("/publish?id=z", 1);
            server.send(post("/publish?id=z", "hello", "Content-Type: text/plain"));
            assertEquals(0x81, in.readUnsignedByte(), "FIN + text, RSV1 (compressed) clear");
            assertEquals(5, in.readUnsignedByte());
            byte[] body = new byte[5];
            in.readFully(body);
            assertEquals("hello", new String(body, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void s14_6_pings_at_the_configured_interval() throws Exception {
        String conf = Confs.SEED.replace("default_type text/plain;", "default_type text/plain;\n nchan_websocket_ping_interval 1;");
        try (TestServer server = TestServer.start(conf)) {
            BlockingQueue<String> pings = new LinkedBlockingQueue<>();
            WebSocketEvents seen = new WebSocketEvents() {
                @Override
                public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
                    pings.add("ping");
                    ws.request(1);
                    return null;
                }
            };
            connect(server, "/activity?id=a", seen);
            assertEquals("ping", pings.poll(15, TimeUnit.SECONDS));
            assertEquals("ping", pings.poll(15, TimeUnit.SECONDS));
        }
    }
}
