package dev.pushrelay.logging;

import java.util.Locale;
import java.util.logging.Level;

/** nginx's error_log levels, least severe first, and the java.util.logging levels they admit. */
public enum LogLevel {
    DEBUG(Level.FINEST), INFO(Level.INFO), NOTICE(Level.INFO), WARN(Level.WARNING), ERROR(Level.SEVERE),
    CRIT(Level.SEVERE), ALERT(Level.SEVERE), EMERG(Level.SEVERE);

    private final Level threshold;

    LogLevel(Level threshold) {
        this.threshold = threshold;
    }

    /** The lowest JUL level logged at this nginx level. */
    public Level threshold() {
        return threshold;
    }

    /** nginx's name of the level a JUL record is written with. */
    public static String nameOf(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) return "error";
        if (v >= Level.WARNING.intValue()) return "warn";
        if (v >= Level.INFO.intValue()) return "notice";
        return "debug";
    }

    /** Parses an nginx level name, or returns null. */
    public static LogLevel parse(String s) {
        for (LogLevel l : values()) {
            if (l.name().toLowerCase(Locale.ROOT).equals(s)) return l;
        }
        return null;
    }
}
