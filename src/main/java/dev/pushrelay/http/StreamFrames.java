package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.websocket.PerMessageDeflate;
import dev.pushrelay.websocket.WsFrames;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
    private ByteBuffer eventSourceChunk;
    /** The type the WebSocket fields were worked out for (the location's default may differ). */
    private String wsType;
    private boolean wsText;
    private ByteBuffer wsMeta;
    /** Frame headers, [0] for the body alone, [1] for the ws+meta.nchan payload; plain then compressed. */
    private final ByteBuffer[] wsHeader = new ByteBuffer[2];
    private final ByteBuffer[] wsDeflatedHeader = new ByteBuffer[2];
    /** Compressed payloads (§14.10), kept when charged; {@link #NOT_SMALLER} when compressing does not pay. */
    private final ByteBuffer[] wsDeflated = new ByteBuffer[2];
    private static final ByteBuffer NOT_SMALLER = ByteBuffer.allocate(0);

    /** One WebSocket frame of a message: its header and payload, both shared (§14.6). */
    record WsFrame(ByteBuffer header, ByteBuffer payload) {
    }

    private StreamFrames(Message message) {
        this.message = message;
    }

    static StreamFrames of(Message m) {
        return m.streamEncoded(StreamFrames::new);
    }

    /** The EventSource event of a single-channel stream (§14.2): its id is the message's. */
    synchronized ByteBuffer eventSource(ChannelStore store, String key) {
        if (eventSource != null) return eventSource.duplicate();
        ByteBuffer b = EventSourceFrames.message(message, EventIds.format(message.id()), message.eventName());
        if (eventSourceNoRoom) return b;
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            eventSourceNoRoom = true;
            return b;
        }
        eventSource = b;
        return b.duplicate();
    }

    /**
     * The same event framed as one HTTP/1.1 chunk ({@link StreamSink#chunk}), so a stream
     * writes it as it is (§14.3); kept and charged like the event.
     */
    synchronized ByteBuffer eventSourceChunk(ChannelStore store, String key) {
        if (eventSourceChunk != null) return eventSourceChunk;
        ByteBuffer b = StreamSink.chunk(eventSource(store, key));
        if (eventSourceNoRoom) return b;
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            return b;
        }
        eventSourceChunk = b;
        return b;
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
        know(type);
        int v = meta ? 1 : 0;
        ByteBuffer payload = meta ? webSocketMetaKnown(type, store, key) : message.body();
        int opcode = wsText ? WsFrames.TEXT : WsFrames.BINARY;
        if (deflate != null && deflate.compresses(payload.remaining())) {
            ByteBuffer z = wsDeflated[v];
            if (z == null) {
                z = PerMessageDeflate.compress(payload);
                if (z == null) {
                    z = NOT_SMALLER;
                } else if (store.chargeEncoding(key, message, z.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
                    z = NOT_SMALLER;
                }
                wsDeflated[v] = z;
            }
            if (z != NOT_SMALLER) {
                if (wsDeflatedHeader[v] == null) wsDeflatedHeader[v] = WsFrames.header(opcode, true, z.remaining());
                return new WsFrame(wsDeflatedHeader[v], z);
            }
        }
        if (wsHeader[v] == null) wsHeader[v] = WsFrames.header(opcode, false, payload.remaining());
        return new WsFrame(wsHeader[v], payload);
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
            wsDeflated[1] = null;
            java.util.Arrays.fill(wsHeader, null);
            java.util.Arrays.fill(wsDeflatedHeader, null);
        }
        wsType = type;
        wsText = type.regionMatches(true, 0, "text/", 0, 5) && isUtf8(message.body());
    }

    private static boolean isUtf8(ByteBuffer b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
