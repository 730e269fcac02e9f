package dev.pushrelay.http;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests a graceful stop lets finish (README "Operating pushrelay: stop"): counted while
 * in flight; once {@link #shutdown} is called, every new request is answered 503 and
 * {@link #awaitShutdown} waits for the count to reach zero.
 *
 * <p>Most push requests (a publish, a re-subscribe that finds its message) are answered
 * before the handler returns, so they are counted off right there, on their IO thread, with
 * no completion listener and no shared atomic that both IO threads contend for; only an
 * exchange still open when the handler returns (a parked long-poll, a body still arriving,
 * a dispatched static file) gets a listener. Nothing completes an exchange on another thread
 * while its handler runs: deliveries and timers run on the exchange's own IO thread, and a
 * dispatched task starts after the handler returned.
 */
public final class RequestsInFlight implements HttpHandler, ExchangeCompletionListener {

    private final HttpHandler next;
    private final LongAdder active = new LongAdder();
    private final Object idle = new Object();
    private volatile boolean shutdown;

    public RequestsInFlight(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        // counted before the flag is read, as the stop sets the flag before it reads the count
        active.increment();
        if (shutdown) {
            finished();
            exchange.setStatusCode(503);
            exchange.endExchange();
            return;
        }
        try {
            next.handleRequest(exchange);
        } finally {
            if (exchange.isComplete()) {
                finished();
            } else {
                exchange.addExchangeCompleteListener(this);
            }
        }
    }

    /**
     * Added after the handler's own listeners, so it runs before them (Undertow calls the last
     * added first): it counts the exchange off only once they ran, so a stop never closes the
     * access log before the last requests' lines are written.
     */
    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
        try {
            nextListener.proceed();
        } finally {
            finished();
        }
    }

    /**
     * A request the lean path takes (protocol.md §12) begins: false when stopping (nothing
     * counted; Undertow answers it 503).
     */
    public boolean enter() {
        active.increment();
        if (shutdown) {
            finished();
            return false;
        }
        return true;
    }

    /** A request {@link #enter} counted is over. */
    public void leave() {
        finished();
    }

    private void finished() {
        active.decrement();
        if (shutdown) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** From now on every new request is answered 503. */
    public void shutdown() {
        shutdown = true;
    }

    /** @return true when no request is in flight any more, false when {@code millis} ran out first */
    public boolean awaitShutdown(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (idle) {
            while (active.sum() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                // bounded: a decrement between the sum and the wait is seen at the next look
                TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "RequestsInFlight -> " + next;
    }
}
