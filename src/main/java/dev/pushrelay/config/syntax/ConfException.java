package dev.pushrelay.config.syntax;

/** A configuration error; the message reads {@code file:line: directive: what is wrong}. */
public final class ConfException extends Exception {
    public ConfException(String message) {
        super(message);
    }
}
