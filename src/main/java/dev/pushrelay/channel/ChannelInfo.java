package dev.pushrelay.channel;

/**
 * The numbers a publisher sees about a channel (protocol.md §3.4).
 *
 * @param messages messages stored now
 * @param requestedSecondsAgo seconds since a subscriber last asked, or -1 for never
 * @param subscribers long-poll requests waiting now
 */
public record ChannelInfo(int messages, long requestedSecondsAgo, int subscribers) {
}
