package dev.pushrelay.channel;

/** The handle of a waiting subscriber; cancelling it removes the wait in O(1). */
@FunctionalInterface
public interface Subscription {

    /** Stop waiting (timeout or disconnect). Safe to call more than once and after delivery. */
    void cancel();
}
