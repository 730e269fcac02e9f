package dev.pushrelay.channel;

/** The outcome of a publish (protocol.md §3.1). */
public sealed interface PublishResult {

    /**
     * The message was accepted.
     *
     * @param info channel numbers after the publish and the delivery
     * @param waiting long-poll subscribers that were waiting at publish time (201 when above 0, else 202)
     * @param message the message as stored and delivered
     */
    record Published(ChannelInfo info, int waiting, Message message) implements PublishResult { }

    /** The publish changed nothing (reserved memory exhausted: 500). */
    record Rejected(Refusal why) implements PublishResult { }
}
