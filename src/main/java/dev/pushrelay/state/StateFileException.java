package dev.pushrelay.state;

/** A state file that cannot be used: truncated, damaged, or not ours. The message is the reason. */
public final class StateFileException extends Exception {

    private static final long serialVersionUID = 1L;

    StateFileException(String reason) {
        super(reason);
    }
}
