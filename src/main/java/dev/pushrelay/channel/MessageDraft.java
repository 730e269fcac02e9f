package dev.pushrelay.channel;

/**
 * What a publisher sent: the body and its Content-Type, verbatim (null when absent).
 * The store takes ownership of {@code body}; the caller must not change it afterwards.
 */
public record MessageDraft(byte[] body, String contentType) {
    public MessageDraft {
        if (body == null) throw new IllegalArgumentException("body");
    }
}
