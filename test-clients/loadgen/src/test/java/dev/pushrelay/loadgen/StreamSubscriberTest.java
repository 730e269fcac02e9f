package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream readers of {@link StreamSubscriber} on the bytes a server sends (pushrelay's and
 * nchan's framing), fed in pieces of every size: each message counted once, in order.
 */
class StreamSubscriberTest {
    private IoLoop loop;

    private StreamSubscriber subscriber(StreamSubscriber.Kind kind) throws Exception {
        loop = new IoLoop("test"); // never started: the reader runs on this thread
        Target target = new Target("http://127.0.0.1:9", "/publish", "/activity", "id");
        Progress progress = new Progress(1, 3, new int[] {1});
        return new StreamSubscriber(new Subscriber.Group(target, new String[] {"ch"}, progress), 0, loop, kind);
    }

    @AfterEach
    void close() {
        loop.shutdown();
    }

    private static byte[] body(int seq) {
        byte[] b = MessageBody.template(100);
        MessageBody.stamp(b, seq, System.nanoTime(), 0);
        return b;
    }

    /** Feeds {@code bytes} in pieces of {@code piece} bytes. */
    private static void feed(StreamSubscriber s, byte[] bytes, int piece) {
        for (int i = 0; i < bytes.length; i += piece) {
            s.onBytes(s.conn, ByteBuffer.wrap(bytes, i, Math.min(piece, bytes.length - i)).slice(), System.nanoTime());
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** pushrelay's EventSource answer: chunked, a comment, events with ids, a named event among them. */
    private static byte[] eventStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"));
        String[] events = {":\n\n", "id: 1:0\ndata: " + new String(body(1), StandardCharsets.ISO_8859_1) + "\n\n",
            "event: pushrelay-gap\ndata: 1:1\n\n",
            "id: 1:2\ndata: " + new String(body(2), StandardCharsets.ISO_8859_1) + "\n\nid: 1:3\ndata: "
                + new String(body(3), StandardCharsets.ISO_8859_1) + "\n\n"};
        for (String e : events) {
            out.writeBytes(ascii(Integer.toHexString(e.length()) + "\r\n" + e + "\r\n"));
        }
        return out.toByteArray();
    }

    @Test
    void eventSourceChunkedEventsAreEachCountedOnceInAnyPieces() throws Exception {
        for (int piece : new int[] {1, 2, 7, 64, 100_000}) {
            StreamSubscriber s = subscriber(StreamSubscriber.Kind.EVENTSOURCE);
            feed(s, eventStream(), piece);
            for (int seq = 1; seq <= 3; seq++) {
                assertTrue(s.checker.has(seq), "piece " + piece + ": seq " + seq);
            }
            assertEquals(0, s.checker.duplicates());
            assertEquals(3, loop.stats.deliveries, "piece " + piece);
            assertEquals(0, loop.stats.malformedBodies);
            assertEquals(1, loop.stats.subStatus[200]);
            assertEquals(1L, loop.stats.errors.get("eventsource event other than a message"), "the gap event is not a message");
            assertEquals(1, s.group.pending.get(), "an open stream counts as waiting");
            loop.shutdown();
        }
    }

    @Test
    void eventSourceRefusedIsAFailureNotADelivery() throws Exception {
        StreamSubscriber s = subscriber(StreamSubscriber.Kind.EVENTSOURCE);
        feed(s, ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), 5);
        assertEquals(1, loop.stats.subStatus[403]);
        assertEquals(0, loop.stats.deliveries);
        assertEquals(1, loop.stats.reconnects);
        assertEquals(0, s.group.pending.get());
    }

    private static void frame(ByteArrayOutputStream out, int opcode, byte[] payload) {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        }
        out.writeBytes(payload);
    }

    @Test
    void webSocketFramesShortAndLongAreEachCountedOnceInAnyPieces() throws Exception {
        for (int piece : new int[] {1, 3, 50, 100_000}) {
            StreamSubscriber s = subscriber(StreamSubscriber.Kind.WEBSOCKET);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: x\r\n\r\n"));
            frame(out, 1, body(1)); // 100 bytes: 7-bit length
            byte[] big = MessageBody.template(300); // 16-bit length, binary
            MessageBody.stamp(big, 2, System.nanoTime(), 0);
            frame(out, 2, big);
            frame(out, 1, body(3));
            frame(out, 8, new byte[] {(byte) 0x03, (byte) 0xe9}); // close 1001
            feed(s, out.toByteArray(), piece);
            for (int seq = 1; seq <= 3; seq++) {
                assertTrue(s.checker.has(seq), "piece " + piece + ": seq " + seq);
            }
            assertEquals(3, loop.stats.deliveries);
            assertEquals(0, loop.stats.malformedBodies);
            assertEquals(1, loop.stats.subStatus[101]);
            assertEquals(1L, loop.stats.errors.get("websocket closed by the server: 1001"));
            assertFalse(loop.stats.errors.isEmpty());
            assertEquals(1, loop.stats.reconnects, "a close is reported and reconnected");
            loop.shutdown();
        }
    }
}
