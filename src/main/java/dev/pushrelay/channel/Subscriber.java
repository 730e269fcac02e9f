package dev.pushrelay.channel;

/**
 * A waiting long-poll request, seen from the store. The store calls exactly one of these
 * methods at most once per registration, always after releasing the channel lock; the
 * implementation must also cope with its own timeout or disconnect racing the call.
 */
public interface Subscriber {

    /**
     * A message was published to the channel while this subscriber waited (protocol.md §4.3).
     *
     * @return false if the subscriber had already ended (timed out or went away)
     */
    boolean deliver(Message message);

    /** The wait ends without a message: {@link Refusal#GONE} or {@link Refusal#CONFLICT}. */
    void end(Refusal why);
}
