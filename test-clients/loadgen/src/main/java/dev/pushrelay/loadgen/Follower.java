package dev.pushrelay.loadgen;

/** A subscriber of any transport: long-poll ({@link Subscriber}) or a stream ({@link StreamSubscriber}). */
interface Follower {
    /** Starts connecting (any thread). */
    void start();

    /** What it received, checked: every sequence number once, in order. */
    SeqChecker checker();
}
