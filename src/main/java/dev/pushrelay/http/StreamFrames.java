package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.store.ChannelStore;

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
    /** The type the WebSocket fields were worked out for (the location's default may differ). */
    private String wsType;
    private boolean wsText;
    private ByteBuffer wsMeta;

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

    /** A text frame for a {@code text/*} type and a body of valid UTF-8, else binary (§14.6). */
    synchronized boolean webSocketText(String type) {
        know(type);
        return wsText;
    }

    /**
     * The payload of a single-channel {@code ws+meta.nchan} frame (§14.6): the message's id
     * and type, then its body.
     */
    synchronized ByteBuffer webSocketMeta(String type, ChannelStore store, String key) {
        know(type);
        if (wsMeta != null) return wsMeta.duplicate();
        ByteBuffer b = meta(message, EventIds.format(message.id()), type);
        if (store.chargeEncoding(key, message, b.remaining() + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
            return b;
        }
        wsMeta = b;
        return b.duplicate();
    }

    static ByteBuffer meta(Message m, String id, String type) {
        ByteBuffer body = m.body();
        byte[] head = ("id: " + id + "\ncontent-type: " + type + "\n\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(head.length + body.remaining()).put(head).put(body).flip();
    }

    private void know(String type) {
        if (type.equals(wsType)) return;
        if (wsType != null) wsMeta = null; // another location's default type: not shared with it
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
