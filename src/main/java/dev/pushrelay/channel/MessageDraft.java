package dev.pushrelay.channel;

/**
 * What a publisher sent: the body and its Content-Type, verbatim (null when absent), and
 * the EventSource event name of its X-EventSource-Event header (null when absent,
 * protocol.md §14.2). The store takes ownership of {@code body}; the caller must not
 * change it afterwards.
 */
public record MessageDraft(byte[] body, String contentType, String eventName) {
    public MessageDraft {
        if (body == null) throw new IllegalArgumentException("body");
    }

    public MessageDraft(byte[] body, String contentType) {
        this(body, contentType, null);
    }
}
