package dev.pushrelay.http;

/**
 * A parked long-poll a graceful stop answers (protocol.md §4.3, §10): an Undertow exchange
 * ({@link WaitingSubscriber}) or a lean one ({@link LeanWaiter}).
 */
interface ParkedPoll {

    /** Ends the wait with {@code status} and closes the connection; false if it had already ended. */
    boolean answerNow(int status);
}
