package dev.pushrelay.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Server frames of RFC 6455 §5.2, built by hand so that a message's header is built once and
 * shared by every subscriber socket (protocol.md §14.6): a server frame is never masked, and
 * every frame pushrelay sends is whole (FIN set).
 */
public final class WsFrames {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private static final int FIN = 0x80;
    /** RFC 7692 §6: the "Per-Message Compressed" bit of a message's first frame. */
    private static final int RSV1 = 0x40;

    private WsFrames() {
    }

    /** The header of a whole frame of {@code length} payload bytes, ready to write. */
    public static ByteBuffer header(int opcode, boolean compressed, long length) {
        int first = FIN | (compressed ? RSV1 : 0) | opcode;
        ByteBuffer b;
        if (length < 126) {
            b = ByteBuffer.allocate(2).put((byte) first).put((byte) length);
        } else if (length < 65536) {
            b = ByteBuffer.allocate(4).put((byte) first).put((byte) 126).putShort((short) length);
        } else {
            b = ByteBuffer.allocate(10).put((byte) first).put((byte) 127).putLong(length);
        }
        return b.flip();
    }

    /** A whole control frame (ping, pong): header and payload (at most 125 bytes) in one buffer. */
    public static ByteBuffer control(int opcode, byte[] payload) {
        return ByteBuffer.allocate(2 + payload.length).put((byte) (FIN | opcode)).put((byte) payload.length)
                .put(payload).flip();
    }

    /** A close frame: the code and the reason, cut to the 123 bytes a control frame has room for. */
    public static ByteBuffer close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(r.length, 123);
        while (n < r.length && n > 0 && (r[n] & 0xC0) == 0x80) n--; // never half a UTF-8 character
        byte[] p = new byte[2 + n];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, n);
        return control(CLOSE, p);
    }
}
