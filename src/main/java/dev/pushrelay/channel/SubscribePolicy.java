package dev.pushrelay.channel;

/**
 * The settings of the subscriber location a long-poll request arrives on (protocol.md §2.3, §7).
 *
 * @param concurrency push_subscriber_concurrency
 * @param authorizedOnly push_authorized_channels_only: never create the channel
 * @param maxSubscribers push_max_channel_subscribers; 0 means unlimited
 * @param channelTimeoutSeconds push_channel_timeout of this location (§6.2)
 */
public record SubscribePolicy(ConcurrencyMode concurrency, boolean authorizedOnly,
                              int maxSubscribers, long channelTimeoutSeconds) {

    public static final SubscribePolicy DEFAULT = new SubscribePolicy(ConcurrencyMode.BROADCAST, false, 0, 5);

    public SubscribePolicy {
        if (concurrency == null) throw new IllegalArgumentException("concurrency");
        if (maxSubscribers < 0 || channelTimeoutSeconds < 0) {
            throw new IllegalArgumentException("negative subscribe policy value");
        }
    }
}
