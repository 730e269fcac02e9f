package dev.pushrelay.config;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.SubscribePolicy;

/**
 * The merged settings of one location (http → server → location inheritance done).
 * Issue 3 adds nginx directives (allow/deny, add_header, gzip, return, static files) as
 * further components.
 *
 * @param name for logs, e.g. {@code "location /publish (pushrelay.conf:3)"}
 * @param endpoint push_publisher / push_subscriber / neither
 * @param pollMode push_subscriber's argument
 * @param channelGroup push_channel_group ("" by default)
 * @param maxChannelIdLength push_max_channel_id_length (default 1024; longer ids are truncated)
 * @param buffer storage settings for publishes through this location
 * @param subscribe long-poll settings for subscribes through this location
 * @param subscriberTimeoutSeconds push_subscriber_timeout, 0 = wait forever
 * @param ignoreQueueOnNoCache push_ignore_queue_on_no_cache
 * @param defaultType default_type (nginx default "text/plain")
 * @param clientMaxBodySize client_max_body_size in bytes (default 1m; 0 = unlimited)
 */
public record LocationSettings(
        String name,
        Endpoint endpoint,
        PollMode pollMode,
        String channelGroup,
        int maxChannelIdLength,
        BufferPolicy buffer,
        SubscribePolicy subscribe,
        long subscriberTimeoutSeconds,
        boolean ignoreQueueOnNoCache,
        String defaultType,
        long clientMaxBodySize) {
}
