package dev.pushrelay.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The {@code error_log}: pushrelay's own log records (and Undertow's and XNIO's) written
 * as nginx writes its error log, {@code 2026/11/23 14:05:09 [error] 4242#17: message},
 * through the {@link LogSink} so no IO thread waits for the disk. The error log is
 * process-wide (java.util.logging is), so it is installed on the loggers by
 * {@link #install} and taken off by {@link #close}; while installed, those loggers stop
 * passing records to the console handler.
 */
public final class ErrorLog extends Handler implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    private final List<ErrorLogTarget> targets;
    private final LogSink sink;
    private final Clock clock;
    private final ZoneId zone;
    private final long pid = ProcessHandle.current().pid();
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Boolean> usedParents = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();

    private ErrorLog(List<ErrorLogTarget> targets, LogSink sink, Clock clock, ZoneId zone) {
        this.targets = List.copyOf(targets);
        this.sink = sink;
        this.clock = clock;
        this.zone = zone;
        Level least = Level.OFF;
        for (ErrorLogTarget t : targets) {
            if (t.level().threshold().intValue() < least.intValue()) least = t.level().threshold();
        }
        setLevel(least);
    }

    /** Routes log records to {@code targets}; an empty list leaves logging as it was (console). */
    public static ErrorLog install(List<ErrorLogTarget> targets, LogSink sink, Clock clock, ZoneId zone) {
        ErrorLog log = new ErrorLog(targets, sink, clock, zone);
        if (targets.isEmpty()) return log;
        for (String name : allLoggers()) {
            Logger l = Logger.getLogger(name);
            log.loggers.add(l);
            log.usedParents.add(l.getUseParentHandlers());
            log.levels.add(l.getLevel());
            l.addHandler(log);
            l.setUseParentHandlers(false);
            if (name.equals(LoggerNames.PUSHRELAY)) {
                l.setLevel(log.getLevel()); // library loggers keep their own (quieter) levels
            }
        }
        return log;
    }

    private static List<String> allLoggers() {
        List<String> names = new ArrayList<>();
        names.add(LoggerNames.PUSHRELAY);
        names.addAll(LoggerNames.LIBRARIES);
        return names;
    }

    @Override
    public void publish(LogRecord r) {
        if (!isLoggable(r)) return;
        String line = format(r);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        for (ErrorLogTarget t : targets) {
            if (r.getLevel().intValue() >= t.level().threshold().intValue()) {
                sink.write(t.file(), bytes);
            }
        }
    }

    String format(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(TIME.format(clock.instant().atZone(zone))).append(" [").append(LogLevel.nameOf(r.getLevel()))
                .append("] ").append(pid).append('#').append(r.getLongThreadID()).append(": ");
        String msg = r.getMessage();
        if (msg != null && r.getParameters() != null && r.getParameters().length > 0) {
            msg = java.text.MessageFormat.format(msg, r.getParameters());
        }
        b.append(msg);
        if (r.getThrown() != null) {
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            b.append(": ").append(sw.toString().stripTrailing());
        }
        return b.append('\n').toString();
    }

    @Override
    public void flush() {
        // the sink's writer flushes after every batch
    }

    /** Takes the handler off the loggers and restores their settings. */
    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger l = loggers.get(i);
            l.removeHandler(this);
            l.setUseParentHandlers(usedParents.get(i));
            l.setLevel(levels.get(i));
        }
        loggers.clear();
    }
}
