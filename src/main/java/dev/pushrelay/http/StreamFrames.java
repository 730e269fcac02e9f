package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.websocket.PerMessageDeflate;
import dev.pushrelay.websocket.WsFrames;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the streams send for one message, built once per message and shared by every stream
 * of a single channel that sends it (protocol.md §14.3): each gets a {@code duplicate()} of
 * the same bytes. A stream of several channels (§14.8) carries its own compound id and
 * builds its own. Bytes kept beyond the body are charged to the memory budget like the
 * gzip form of a long-poll answer (§6.3); when the budget cannot hold them they are built
 * for each stream instead.
 */
final class StreamFrames {

    /** A byte array's header, as the gzip form counts it. */
    private static final long ARRAY_OVERHEAD = 16;

    private final Message message;
    private ByteBuffer eventSource;
    private boolean eventSourceNoRoom;
    /** Read without the lock once kept (volatile: set whole, after it was built). */
    private volatile ByteBuffer eventSourceChunk;
    /** The type the WebSocket fields were worked out for (the location's default may differ). */
    private String wsType;
    private boolean wsText;
    private ByteBuffer wsMeta;
    /** Frame headers, [0] for the body alone, [1] for the ws+meta.nchan payload. */
    private final ByteBuffer[] wsHeader = new ByteBuffer[2];
    /**
     * Compressed frames (§14.10), header and payload in one direct buffer, kept when charged;
     * {@link #NOT_SMALLER} when compressing does not pay or the budget has no room.
     */
    private final ByteBuffer[] wsDeflated = new ByteBuffer[2];
    private static final ByteBuffer NOT_SMALLER = ByteBuffer.allocate(0);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Header and payload in one direct buffer ({@link #wire}), [0] body, [1] meta; uncompressed. */
    private final ByteBuffer[] wsWire = new ByteBuffer[2];
    private final boolean[] wsWireNoRoom = new boolean[2];

    /** The message's id as one token (§14.1), made once for every stream; racy but idempotent. */
    private String eventId;
    /**
     * The whole frames of the body alone for one type, read without the lock: what nearly every
     * socket of a single channel sends ({@link #webSocketWhole}).
     */
    private volatile Whole whole;

    /** @param plain the uncompressed frame, or null; @param deflated the compressed one, {@link #NOT_SMALLER}, or null */
    private record Whole(String type, ByteBuffer plain, ByteBuffer deflated) {
    }

    /** One WebSocket frame of a message: its header and payload, both shared (§14.6). */
    record WsFrame(ByteBuffer header, ByteBuffer payload) {
    }

    private StreamFrames(Message message) {
        this.message = message;
    }

    static StreamFrames of(Message m) {
        return m.streamEncoded(StreamFrames::new);
    }

    /** The cursor token after this message on a single-channel stream (§14.1). */
    String eventId() {
        String id = eventId;
        if (id == null) eventId = id = EventIds.format(message.id());
        return id;
    }

    /** The EventSource event of a single-channel stream (§14.2): its id is the message's. */
    synchronized ByteBuffer eventSource(ChannelStore store, String key) {
        if (eventSource != null) return eventSource.duplicate();
        ByteBuffer b = EventSourceFrames.message(message, eventId(), message.eventName());
        if (eventSourceNoRoom) return b;
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            eventSourceNoRoom = true;
            return b;
        }
        eventSource = b;
        return b.duplicate();
    }

    /**
     * The same event framed as one HTTP/1.1 chunk, built in one pass ({@link
     * EventSourceFrames#chunk}), so a stream writes it as it is (§14.3); kept in a direct
     * buffer, which each stream's write takes without a copy, and charged like the event.
     */
    ByteBuffer eventSourceChunk(ChannelStore store, String key) {
        ByteBuffer kept = eventSourceChunk;
        return kept != null ? kept : eventSourceChunkLocked(store, key); // every stream after the first: no lock
    }

    private synchronized ByteBuffer eventSourceChunkLocked(ChannelStore store, String key) {
        if (eventSourceChunk != null) return eventSourceChunk;
        ByteBuffer b = EventSourceFrames.chunk(message, eventId(), message.eventName());
        if (eventSourceNoRoom) return b;
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            eventSourceNoRoom = true;
            return b;
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(b.remaining()).put(b).flip();
        eventSourceChunk = direct;
        return direct;
    }

    /** A text frame for a {@code text/*} type and a body of valid UTF-8, else binary (§14.6). */
    synchronized boolean webSocketText(String type) {
        know(type);
        return wsText;
    }

    /** The payload of a single-channel {@code ws+meta.nchan} frame (§14.6): the message's id and type, then its body. */
    private ByteBuffer webSocketMetaKnown(String type, ChannelStore store, String key) {
        if (wsMeta != null) return wsMeta.duplicate();
        ByteBuffer b = meta(message, EventIds.format(message.id()), type);
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            return b;
        }
        wsMeta = b;
        return b.duplicate();
    }

    /**
     * The frame a single-channel WebSocket subscriber sends for this message (§14.6): header
     * and payload built once, the payload compressed once for every socket that agreed to
     * permessage-deflate (§14.10). When the memory budget cannot keep a compressed payload the
     * message goes uncompressed (RFC 7692 lets any message go so).
     */
    synchronized WsFrame webSocket(String type, boolean meta, PerMessageDeflate.Agreement deflate,
                                   ChannelStore store, String key) {
        WsFrame f = webSocketLocked(type, meta, deflate, store, key);
        if (!meta && f.payload() == EMPTY) {
            // kept for the lock-free path: the frame of this socket's kind, and the other's when known
            boolean z = f.header() != wsWire[0];
            whole = new Whole(type, z ? wsWire[0] : f.header(), z ? f.header() : wsDeflated[0]);
        }
        return f;
    }

    /**
     * The whole shared frame (header and payload in one buffer, not to be moved: write a
     * duplicate) a single-channel socket without the meta subprotocol sends for this message,
     * without taking the lock; null when not known yet, or not kept ({@link #webSocket} then).
     */
    ByteBuffer webSocketWhole(String type, PerMessageDeflate.Agreement deflate) {
        Whole w = whole;
        if (w == null || !w.type().equals(type)) return null;
        if (deflate != null && deflate.compresses(message.length())) {
            ByteBuffer z = w.deflated();
            if (z != NOT_SMALLER) return z;
        }
        return w.plain();
    }

    private WsFrame webSocketLocked(String type, boolean meta, PerMessageDeflate.Agreement deflate,
                                    ChannelStore store, String key) {
        know(type);
        int v = meta ? 1 : 0;
        ByteBuffer payload = meta ? webSocketMetaKnown(type, store, key) : message.body();
        int opcode = wsText ? WsFrames.TEXT : WsFrames.BINARY;
        if (deflate != null && deflate.compresses(payload.remaining())) {
            ByteBuffer z = wsDeflated[v];
            if (z == null) {
                ByteBuffer c = PerMessageDeflate.compress(payload);
                z = c == null ? NOT_SMALLER : wire(WsFrames.header(opcode, true, c.remaining()), c, store, key);
                wsDeflated[v] = z == null ? NOT_SMALLER : z;
            }
            if (z != null && z != NOT_SMALLER) return new WsFrame(z, EMPTY);
        }
        if (wsHeader[v] == null) wsHeader[v] = WsFrames.header(opcode, false, payload.remaining());
        if (wsWire[v] == null && !wsWireNoRoom[v]) {
            wsWire[v] = wire(wsHeader[v], payload, store, key);
            wsWireNoRoom[v] = wsWire[v] == null;
        }
        return wsWire[v] != null ? new WsFrame(wsWire[v], EMPTY) : new WsFrame(wsHeader[v], payload);
    }

    /**
     * A whole frame in one direct buffer, so each socket writes it without a copy or a second
     * buffer; null when the memory budget cannot keep it (§6.3).
     */
    private ByteBuffer wire(ByteBuffer header, ByteBuffer payload, ChannelStore store, String key) {
        int n = header.remaining() + payload.remaining();
        if (store.chargeEncoding(key, message, n + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) return null;
        return ByteBuffer.allocateDirect(n).put(header.duplicate()).put(payload.duplicate()).flip();
    }

    /** A frame of a stream's own (several channels, §14.8; a gap signal): built for it alone. */
    static WsFrame webSocketOwn(int opcode, ByteBuffer payload, PerMessageDeflate.Agreement deflate) {
        if (deflate != null && deflate.compresses(payload.remaining())) {
            ByteBuffer z = PerMessageDeflate.compress(payload);
            if (z != null) return new WsFrame(WsFrames.header(opcode, true, z.remaining()), z);
        }
        return new WsFrame(WsFrames.header(opcode, false, payload.remaining()), payload);
    }

    static ByteBuffer meta(Message m, String id, String type) {
        ByteBuffer body = m.body();
        byte[] head = ("id: " + id + "\ncontent-type: " + type + "\n\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(head.length + body.remaining()).put(head).put(body).flip();
    }

    private void know(String type) {
        if (type.equals(wsType)) return;
        if (wsType != null) { // another location's default type: not shared with it
            wsMeta = null;
            java.util.Arrays.fill(wsDeflated, null); // the opcode is in the kept frames
            java.util.Arrays.fill(wsHeader, null);
            java.util.Arrays.fill(wsWire, null);
            java.util.Arrays.fill(wsWireNoRoom, false);
            whole = null;
        }
        wsType = type;
        wsText = type.regionMatches(true, 0, "text/", 0, 5) && isUtf8(message.body());
    }

    /**
     * Whether {@code b}'s bytes are well-formed UTF-8 (Unicode's table 3-7: no overlong form,
     * no surrogate, nothing past U+10FFFF), as a strict decoder judges them, without decoding
     * (a decoder and a copy of the body per message, BENCHMARKS.md); the position is not moved.
     */
    static boolean isUtf8(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        while (i < end) {
            int c = b.get(i) & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                n = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                n = 2;
                if (c == 0xe0) lo = 0xa0;
                else if (c == 0xed) hi = 0x9f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 3;
                if (c == 0xf0) lo = 0x90;
                else if (c == 0xf4) hi = 0x8f;
            } else {
                return false;
            }
            if (end - i <= n) return false;
            int second = b.get(i + 1) & 0xff;
            if (second < lo || second > hi) return false;
            for (int k = 2; k <= n; k++) {
                int cont = b.get(i + k) & 0xff;
                if (cont < 0x80 || cont > 0xbf) return false;
            }
            i += n + 1;
        }
        return true;
    }
}
