package dev.pushrelay.websocket;

import java.nio.ByteBuffer;

/**
 * Reads a client's frames (RFC 6455 §5) on a subscriber socket, as they arrive in any pieces:
 * control frames are handed on whole and unmasked; data frames are checked and skipped, since
 * a subscriber location publishes nothing (protocol.md §14.6), so a client's data costs no
 * memory however long it is. A frame that breaks the protocol ends reading with the close
 * code to send (1002).
 */
public final class FrameReader {

    /** What the reader found. */
    public interface Listener {
        /** A whole ping, pong or close frame, its payload unmasked. */
        void control(int opcode, byte[] payload);

        /** The client broke the protocol: close with {@code code} and {@code reason}. */
        void invalid(int code, String reason);
    }

    public static final int PROTOCOL_ERROR = 1002;

    private final boolean deflate;
    private final Listener listener;
    private final byte[] head = new byte[14];
    private int headHave;
    private int opcode;
    private long remaining;
    private byte[] control;
    private int controlHave;
    private final byte[] mask = new byte[4];
    /** A fragmented data message is open: continuations are expected. */
    private boolean inMessage;
    private boolean inHead = true;
    private boolean failed;

    /** @param deflate permessage-deflate was agreed: RSV1 may mark a data message (RFC 7692 §6) */
    public FrameReader(boolean deflate, Listener listener) {
        this.deflate = deflate;
        this.listener = listener;
    }

    /** Takes everything in {@code in}. */
    public void read(ByteBuffer in) {
        while (in.hasRemaining() && !failed) {
            if (inHead) {
                head[headHave++] = in.get();
                int need = headLength();
                if (need < 0 || headHave < need) continue;
                if (!begin()) return;
            } else {
                int n = (int) Math.min(remaining, in.remaining());
                if (control != null) {
                    for (int i = 0; i < n; i++, controlHave++) {
                        control[controlHave] = (byte) (in.get() ^ mask[controlHave & 3]);
                    }
                } else {
                    in.position(in.position() + n);
                }
                remaining -= n;
            }
            if (!inHead && remaining == 0) end();
        }
    }

    /** The header's full length once its first two bytes are in; -1 before. */
    private int headLength() {
        if (headHave < 2) return -1;
        int len = head[1] & 0x7F;
        int masked = (head[1] & 0x80) != 0 ? 4 : 0; // an unmasked frame is refused once its first two bytes are in
        return 2 + (masked == 0 ? 0 : (len == 126 ? 2 : len == 127 ? 8 : 0) + masked);
    }

    private boolean begin() {
        int b0 = head[0] & 0xFF;
        int b1 = head[1] & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        opcode = b0 & 0x0F;
        if ((b1 & 0x80) == 0) return fail("unmasked client frame");
        if ((b0 & 0x30) != 0) return fail("reserved bits set");
        int len7 = b1 & 0x7F;
        int at = 2;
        if (len7 == 126) {
            remaining = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            at = 4;
        } else if (len7 == 127) {
            remaining = ByteBuffer.wrap(head, 2, 8).getLong();
            at = 10;
            if (remaining < 0) return fail("frame length out of range");
        } else {
            remaining = len7;
        }
        System.arraycopy(head, at, mask, 0, 4);
        if (opcode >= 0x8) {
            if (opcode > WsFrames.PONG) return fail("unknown opcode " + opcode);
            if (!fin || remaining > 125) return fail("fragmented or long control frame");
            if (rsv1) return fail("compressed control frame");
            control = new byte[(int) remaining];
            controlHave = 0;
        } else {
            if (opcode != WsFrames.CONTINUATION && opcode != WsFrames.TEXT && opcode != WsFrames.BINARY) {
                return fail("unknown opcode " + opcode);
            }
            if (opcode == WsFrames.CONTINUATION ? !inMessage : inMessage) return fail("unexpected continuation");
            if (rsv1 && (!deflate || opcode == WsFrames.CONTINUATION)) return fail("RSV1 without permessage-deflate");
            inMessage = !fin;
            control = null;
        }
        inHead = false;
        headHave = 0;
        return true;
    }

    private void end() {
        inHead = true;
        if (control != null) {
            byte[] c = control;
            control = null;
            listener.control(opcode, c);
        }
    }

    private boolean fail(String why) {
        failed = true;
        listener.invalid(PROTOCOL_ERROR, why);
        return false;
    }
}
