package dev.pushrelay.channel;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * One published message: an immutable value (what the store learns later, such as how many
 * got it, lives in the store's {@link MessageBuffer}), apart from a lazily built, derived
 * encoding that the HTTP layer caches so fan-out formats a response once per message, not
 * once per subscriber (protocol.md §4.4).
 */
public final class Message {

    /** Delete-oldest-received is off for this message. */
    public static final long NEVER = Long.MAX_VALUE;

    private final Cursor id;
    private final byte[] body;
    private final String contentType;
    private final long expires;
    private final long deleteOldestReceivedMin;
    /** X-EventSource-Event of the publish, or null (protocol.md §14.2). */
    private final String eventName;
    private volatile Object encoded;
    private volatile Object streamEncoded;

    /**
     * @param expires epoch second after which the message is expired, 0 for never (§5.6)
     * @param deleteOldestReceivedMin the min buffer length of the publishing location when
     *        push_delete_oldest_received_message was on, else {@link #NEVER} (§5.4)
     */
    public Message(Cursor id, byte[] body, String contentType, long expires, long deleteOldestReceivedMin) {
        this(id, body, contentType, expires, deleteOldestReceivedMin, null);
    }

    /** @param eventName the publisher's X-EventSource-Event, or null (protocol.md §14.2) */
    public Message(Cursor id, byte[] body, String contentType, long expires, long deleteOldestReceivedMin,
                   String eventName) {
        this.eventName = eventName;
        this.id = id;
        this.body = body;
        this.contentType = contentType;
        this.expires = expires;
        this.deleteOldestReceivedMin = deleteOldestReceivedMin;
    }

    public Cursor id() { return id; }

    /** A read-only view of the body; each call returns an independent position. */
    public ByteBuffer body() { return ByteBuffer.wrap(body).asReadOnlyBuffer(); }

    public int length() { return body.length; }

    /** The publisher's Content-Type, verbatim, or null if it sent none. */
    public String contentType() { return contentType; }

    public long expires() { return expires; }

    /** The EventSource event name the publisher gave, or null. */
    public String eventName() { return eventName; }

    public long deleteOldestReceivedMin() { return deleteOldestReceivedMin; }

    /** §5.6: expired when the expiry is set and the clock is strictly past it. */
    public boolean isExpired(long nowSeconds) {
        return expires != 0 && nowSeconds > expires;
    }

    /**
     * Returns the encoding built by {@code encoder}, building it on first use. Two threads
     * may both build it; both results are equal, so the race is harmless.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Function<Message, T> encoder) {
        Object e = encoded;
        if (e == null) {
            e = encoder.apply(this);
            encoded = e;
        }
        return (T) e;
    }

    /**
     * The same for the streams' encodings (protocol.md §14.3): built once per message and
     * shared by every stream that sends it.
     */
    @SuppressWarnings("unchecked")
    public <T> T streamEncoded(Function<Message, T> encoder) {
        Object e = streamEncoded;
        if (e == null) {
            e = encoder.apply(this);
            streamEncoded = e;
        }
        return (T) e;
    }

    @Override
    public String toString() {
        return "Message[" + id.time() + ":" + id.tag() + ", " + body.length + " bytes]";
    }
}
