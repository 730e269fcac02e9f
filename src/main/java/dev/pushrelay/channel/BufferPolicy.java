package dev.pushrelay.channel;

/**
 * The storage settings of the publisher location a message is published through; they
 * travel with each publish because nginx binds settings to locations, not channels
 * (protocol.md §5.1).
 *
 * @param minMessages push_min_message_buffer_length: threshold for delete-oldest-received
 * @param maxMessages push_max_message_buffer_length; 0 means store nothing (§5.7)
 * @param messageTimeoutSeconds push_message_timeout; 0 means never expires
 * @param deleteOldestReceived push_delete_oldest_received_message
 * @param channelTimeoutSeconds push_channel_timeout: idle grace before channel GC (§6.2)
 * @param minRecipients historical push_min_message_recipients (0.68-0.69, §5.5); -1 when not set
 */
public record BufferPolicy(int minMessages, int maxMessages, long messageTimeoutSeconds,
                           boolean deleteOldestReceived, long channelTimeoutSeconds, int minRecipients) {

    /** Without push_min_message_recipients, as every release since 0.691. */
    public BufferPolicy(int minMessages, int maxMessages, long messageTimeoutSeconds,
                        boolean deleteOldestReceived, long channelTimeoutSeconds) {
        this(minMessages, maxMessages, messageTimeoutSeconds, deleteOldestReceived, channelTimeoutSeconds, -1);
    }

    /** The module's defaults: min 1, max 10, 1 hour, off, 5 s. */
    public static final BufferPolicy DEFAULT = new BufferPolicy(1, 10, 3600, false, 5);

    public BufferPolicy {
        if (minMessages < 0 || maxMessages < 0 || messageTimeoutSeconds < 0 || channelTimeoutSeconds < 0) {
            throw new IllegalArgumentException("negative buffer policy value");
        }
    }
}
