package dev.pushrelay.channel;

/** How several long-poll requests on one channel are handled. protocol.md §7. */
public enum ConcurrencyMode {
    /** Any number wait; every publish goes to all of them (the default). */
    BROADCAST,
    /** The oldest waiting request keeps its place; newcomers get a conflict. */
    FIRST,
    /** A newcomer ends every waiting request with a conflict, then proceeds. */
    LAST
}
