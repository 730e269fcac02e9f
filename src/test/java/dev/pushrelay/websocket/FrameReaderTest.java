package dev.pushrelay.websocket;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §14.6: a client's frames read in whatever pieces they arrive. */
class FrameReaderTest {

    private static byte[] frame(int first, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(first);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length);
        }
        byte[] key = {(byte) 0xA1, 0x22, 0x33, (byte) 0xF4};
        f.writeBytes(key);
        for (int i = 0; i < payload.length; i++) f.write(payload[i] ^ key[i & 3]);
        return f.toByteArray();
    }

    private static List<String> read(boolean deflate, byte[] wire, int piece) {
        List<String> seen = new ArrayList<>();
        FrameReader r = new FrameReader(deflate, new FrameReader.Listener() {
            @Override
            public void control(int opcode, byte[] payload) {
                seen.add(opcode + ":" + new String(payload, StandardCharsets.ISO_8859_1));
            }

            @Override
            public void invalid(int code, String reason) {
                seen.add("invalid " + code + " " + reason);
            }
        });
        for (int at = 0; at < wire.length; at += piece) {
            r.read(ByteBuffer.wrap(wire, at, Math.min(piece, wire.length - at)));
        }
        return seen;
    }

    @Test
    void control_frames_come_whole_and_unmasked_data_is_skipped_in_any_pieces() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(frame(0x01, "x".repeat(300).getBytes(StandardCharsets.US_ASCII))); // text, FIN clear
        wire.writeBytes(frame(0x89, "abc".getBytes(StandardCharsets.US_ASCII)));           // a ping between fragments
        wire.writeBytes(frame(0x80, new byte[0]));                                           // the last fragment
        wire.writeBytes(frame(0x8A, new byte[0]));                                           // a pong
        wire.writeBytes(frame(0x88, new byte[] {0x03, (byte) 0xE8}));                        // close 1000
        for (int piece : new int[] {1, 2, 3, 7, 1000}) {
            assertEquals(List.of("9:abc", "10:", "8:\u0003\u00e8"), read(false, wire.toByteArray(), piece), "pieces of " + piece);
        }
    }

    @Test
    void faults_are_named() {
        assertEquals(List.of("invalid 1002 RSV1 without permessage-deflate"), read(false, frame(0xC1, new byte[] {1}), 1));
        assertEquals(List.of(), read(true, frame(0xC1, new byte[] {1}), 1), "a compressed message once agreed");
        assertEquals(List.of("invalid 1002 RSV1 without permessage-deflate"),
                read(true, concat(frame(0x41, new byte[] {1}), frame(0xC0, new byte[] {1})), 1), "RSV1 on a continuation");
        assertEquals(List.of("invalid 1002 unexpected continuation"), read(false, frame(0x80, new byte[0]), 1));
        assertEquals(List.of("invalid 1002 unexpected continuation"),
                read(false, concat(frame(0x01, new byte[0]), frame(0x81, new byte[0])), 1), "a new message inside one");
        assertEquals(List.of("invalid 1002 unknown opcode 3"), read(false, frame(0x83, new byte[0]), 1));
        assertEquals(List.of("invalid 1002 fragmented or long control frame"), read(false, frame(0x09, new byte[0]), 1));
        assertEquals(List.of("invalid 1002 reserved bits set"), read(false, frame(0xA1, new byte[0]), 1));
        assertEquals(List.of("invalid 1002 unmasked client frame"), read(false, new byte[] {(byte) 0x81, 0x01, 'x'}, 1));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }
}
