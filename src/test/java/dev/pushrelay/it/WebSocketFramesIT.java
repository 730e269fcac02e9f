package dev.pushrelay.it;

import dev.pushrelay.testing.RawWebSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.6 and §14.10 on the wire: pushrelay's own subscriber frames, permessage-deflate
 * as negotiated and sent, and what a client's frames get; with a client written against the bytes.
 */
class WebSocketFramesIT {

    private static final String DEFLATE = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private static String compressible(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < n; i++) b.append("message ").append(i % 7).append(" of the chat; ");
        return b.substring(0, n);
    }

    @Test
    void s14_10_one_compressed_payload_for_every_socket_that_agreed_plain_for_the_others() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             RawWebSocket a = RawWebSocket.open(server.port(), "/activity?id=z", DEFLATE);
             RawWebSocket b = RawWebSocket.open(server.port(), "/activity?id=z",
                     "Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate");
             RawWebSocket plain = RawWebSocket.open(server.port(), "/activity?id=z")) {
            assertTrue(a.head.startsWith("HTTP/1.1 101 "), a.head);
            assertEquals("permessage-deflate; server_no_context_takeover", a.extensions());
            assertEquals("permessage-deflate; server_no_context_takeover", b.extensions());
            assertNull(plain.extensions());
            server.awaitSubscribers("/publish?id=z", 3);
            String body = compressible(2000);
            assertEquals(201, server.send(post("/publish?id=z", body, "Content-Type: text/plain")).status());
            assertEquals(201, server.send(post("/publish?id=z", "hi", "Content-Type: text/plain")).status());
            RawWebSocket.Frame fa = a.next();
            RawWebSocket.Frame fb = b.next();
            assertTrue(fa.fin() && fa.rsv1(), "RSV1: compressed");
            assertEquals(TEXT, fa.opcode());
            assertTrue(fa.payload().length < body.length() / 4, "compressed to " + fa.payload().length);
            assertArrayEquals(fa.payload(), fb.payload(), "one compressed payload for both");
            assertEquals(body, new String(fa.inflated(), StandardCharsets.UTF_8));
            RawWebSocket.Frame fp = plain.next();
            assertFalse(fp.rsv1());
            assertEquals(body, fp.text());
            for (RawWebSocket ws : new RawWebSocket[] {a, b, plain}) {
                RawWebSocket.Frame hi = ws.next();
                assertFalse(hi.rsv1(), "a message compression does not shorten goes plain");
                assertEquals("hi", hi.text());
            }
        }
    }

    @Test
    void s14_10_a_smaller_server_window_is_honoured_by_sending_longer_messages_plain() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=w",
                     "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8; client_no_context_takeover")) {
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
                    ws.extensions());
            server.awaitSubscribers("/publish?id=w", 1);
            server.send(post("/publish?id=w", compressible(256), "Content-Type: text/plain"));
            server.send(post("/publish?id=w", compressible(257), "Content-Type: text/plain"));
            RawWebSocket.Frame small = ws.next();
            assertTrue(small.rsv1(), "256 bytes fit a 2^8 window");
            assertEquals(compressible(256), new String(small.inflated(), StandardCharsets.UTF_8));
            RawWebSocket.Frame big = ws.next();
            assertFalse(big.rsv1(), "257 bytes might reach past it");
            assertEquals(compressible(257), big.text());
        }
    }

    @Test
    void s14_10_offers_it_cannot_honour_are_declined() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            for (String offer : new String[] {"permessage-deflate; server_max_window_bits=7",
                    "permessage-deflate; server_max_window_bits", "permessage-deflate; client_max_window_bits=16",
                    "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; mystery",
                    "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "x-webkit-deflate-frame"}) {
                try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=d",
                        "Sec-WebSocket-Extensions: " + offer)) {
                    assertTrue(ws.head.startsWith("HTTP/1.1 101 "), ws.head);
                    assertNull(ws.extensions(), offer);
                }
            }
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=d",
                    "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=\"10\"")) {
                assertEquals("permessage-deflate; server_no_context_takeover; server_max_window_bits=10", ws.extensions(),
                        "the first acceptable offer");
            }
        }
    }

    @Test
    void s14_6_pings_are_answered_a_close_is_echoed_and_bad_frames_close_1002() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=p")) {
                server.awaitSubscribers("/publish?id=p", 1);
                ws.send(0x80 | PING, "abc".getBytes(StandardCharsets.US_ASCII), true);
                RawWebSocket.Frame pong = ws.next();
                assertEquals(PONG, pong.opcode());
                assertEquals("abc", pong.text());
                ws.send(0x80 | TEXT, compressible(300).getBytes(StandardCharsets.US_ASCII), true); // read and ignored
                ws.send(0x80 | CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, true);
                RawWebSocket.Frame close = ws.next();
                assertEquals(CLOSE, close.opcode());
                assertEquals(1000, close.code());
                assertTrue(ws.atEnd(), "the server ends the connection after the closing handshake");
                server.awaitSubscribers("/publish?id=p", 0);
            }
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=p")) {
                ws.send(0x80 | TEXT, "x".getBytes(StandardCharsets.US_ASCII), false);
                RawWebSocket.Frame close = ws.next();
                assertEquals(1002, close.code());
                assertEquals("unmasked client frame", close.reason());
            }
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=p")) {
                ws.send(0x80 | 0x40 | TEXT, "x".getBytes(StandardCharsets.US_ASCII), true);
                assertEquals(1002, ws.next().code(), "RSV1 without permessage-deflate");
            }
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=p", DEFLATE)) {
                ws.send(0x40 | PING, new byte[0], true);
                assertEquals(1002, ws.next().code(), "a fragmented, compressed ping");
            }
            server.awaitSubscribers("/publish?id=p", 0);
        }
    }

    @Test
    void s14_4_a_client_that_never_reads_is_closed_1008_once_a_mebibyte_waits() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             RawWebSocket ws = RawWebSocket.open(server.port(), "/activity?id=s", 4096)) {
            server.awaitSubscribers("/publish?id=s", 1);
            String body = compressible(60_000);
            int published = 0;
            while (published < 400 && server.send(post("/publish?id=s", body, "Content-Type: text/plain")).status() == 201) {
                published++;
            }
            assertTrue(published < 400, "the subscriber was cut off: the publish found nobody");
            int frames = 0;
            RawWebSocket.Frame f;
            while ((f = ws.next()).opcode() == TEXT) {
                assertEquals(body, f.text());
                frames++;
            }
            assertEquals(CLOSE, f.opcode());
            assertEquals(1008, f.code());
            assertTrue(f.reason().matches("too slow: \\d+ bytes unsent"), f.reason());
            assertTrue(frames < published && frames >= (1 << 20) / body.length(),
                    frames + " of " + published + ": whole messages, in order, up to the cut");
        }
    }
}
