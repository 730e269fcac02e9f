package dev.pushrelay.store;

/**
 * The broker cannot answer now (Redis unreachable or too slow): the request changed
 * nothing that the caller can rely on, and is answered 503 with Retry-After (protocol.md §13).
 */
public final class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
