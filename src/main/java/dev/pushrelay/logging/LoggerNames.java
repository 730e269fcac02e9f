package dev.pushrelay.logging;

import java.util.List;

/**
 * The java.util.logging loggers pushrelay routes: its own, under one parent, and the
 * libraries under it (Undertow, XNIO, JBoss logging), which stay quieter than ours
 * because their INFO lines are start-up chatter, not events an operator acts on.
 */
public final class LoggerNames {
    /** The parent of every pushrelay logger (each class logs under its own name). */
    public static final String PUSHRELAY = "dev.pushrelay";
    /** Library loggers, kept at WARNING unless an error_log asks for less. */
    public static final List<String> LIBRARIES = List.of("io.undertow", "org.xnio", "org.jboss");

    private LoggerNames() {
    }
}
