package dev.pushrelay.logging;

/** The values of one finished request's variables, by name without '$'. */
@FunctionalInterface
public interface LogVariables {

    /** The value, or null when the request has none (written as "-", as nginx does). */
    String value(String name);
}
