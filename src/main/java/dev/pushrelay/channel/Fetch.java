package dev.pushrelay.channel;

/** The outcome of asking a channel for the message after a cursor (protocol.md §4.2, §4.3, §4.5). */
public sealed interface Fetch {

    /** A stored message comes after the cursor: answer 200 with it now. */
    record Found(Message message) implements Fetch { }

    /** Long-poll: nothing newer; the subscriber is registered and waits. */
    record Waiting(Subscription subscription) implements Fetch { }

    /**
     * A stream (protocol.md §14.3) stays registered: {@code stored} are the messages after its
     * cursor, oldest first, and every message published from now on is delivered to it until
     * it cancels or is ended; a delivered message whose id is not after {@code through} (the
     * channel's newest id when it registered, or null) was already stored or skipped.
     */
    record Following(java.util.List<Message> stored, Cursor through, Subscription subscription) implements Fetch { }

    /** Interval-poll: nothing newer (304). */
    record NotYet() implements Fetch { }

    /** The request is refused (403, 409, 500). */
    record Refused(Refusal why) implements Fetch { }

    Fetch NOT_YET = new NotYet();
}
