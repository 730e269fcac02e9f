package dev.pushrelay.config;

/** The argument of push_subscriber (protocol.md §4.3, §4.5). */
public enum PollMode {
    LONG_POLL,
    INTERVAL_POLL
}
