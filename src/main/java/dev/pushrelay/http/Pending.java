package dev.pushrelay.http;

import dev.pushrelay.store.BrokerUnavailableException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Goes on with a broker's answer: at once on this thread when the stage is already
 * complete (the in-memory broker, so the hot path takes no detour), else on the
 * exchange's IO thread when the answer arrives, the exchange parked meanwhile without a
 * thread. A broker that cannot be reached is answered 503 with Retry-After (protocol.md §13).
 */
final class Pending {

    private static final Logger LOG = Logger.getLogger(Pending.class.getName());
    static final HttpString RETRY_AFTER = new HttpString("Retry-After");
    /** Seconds a client is told to wait while the broker is away: Redis reconnects within about one. */
    static final String RETRY_SECONDS = "1";
    /** The same header as the lean path writes it (LeanService), in the place Undertow's header map puts it. */
    static final byte[] RETRY_AFTER_LINE = ("Retry-After: " + RETRY_SECONDS + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Runnable NOTHING = () -> { };

    private Pending() {
    }

    /**
     * The answer if the stage is already complete and did not fail (the in-memory broker),
     * else null: then call {@link #later}. Split in two so the hot path allocates no
     * continuation.
     */
    static <T> T ready(CompletableFuture<T> f) {
        return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
    }

    /** Parks the exchange until {@code f} completes, then runs {@code next} on its IO thread. */
    static <T> void later(HttpServerExchange exchange, CompletableFuture<T> f, Consumer<T> next) {
        if (f.isDone()) { // completed since ready() looked, or failed at once: still on this thread
            f.whenComplete((value, error) -> {
                if (error != null) failed(exchange, error);
                else next.accept(value);
            });
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        f.whenComplete((value, error) -> exchange.getIoThread().execute(() -> {
            try {
                if (error != null) {
                    failed(exchange, error);
                } else {
                    next.accept(value);
                }
            } catch (RuntimeException e) {
                failed(exchange, e);
            }
        }));
    }

    static void logFailure(String request, Throwable cause) {
        LOG.log(Level.SEVERE, "broker failed for " + request + ": " + cause, cause);
    }

    private static void failed(HttpServerExchange exchange, Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
        if (exchange.isResponseStarted()) {
            exchange.setPersistent(false);
            exchange.endExchange();
            return;
        }
        if (cause instanceof BrokerUnavailableException) {
            exchange.getResponseHeaders().put(RETRY_AFTER, RETRY_SECONDS);
            Responses.errorPage(exchange, 503);
            return;
        }
        logFailure(exchange.getRequestMethod() + " " + exchange.getRequestURI(), cause);
        exchange.getResponseHeaders().clear();
        Responses.errorPage(exchange, 500);
    }
}
