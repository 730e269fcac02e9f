package dev.pushrelay.channel;

/**
 * Every expected way the store says no or ends a waiting subscriber. The HTTP layer maps
 * each to one status in a single switch (protocol.md §4.6).
 */
public enum Refusal {
    /** push_authorized_channels_only and the channel does not exist (403). */
    NO_SUCH_CHANNEL,
    /** push_max_channel_subscribers reached (403). */
    TOO_MANY_SUBSCRIBERS,
    /** Concurrency first (newcomer) or last (the waiting ones) (409). */
    CONFLICT,
    /** The channel was deleted while the subscriber waited (410). */
    GONE,
    /** The reserved-memory budget cannot hold what was asked (500). */
    OUT_OF_MEMORY
}
