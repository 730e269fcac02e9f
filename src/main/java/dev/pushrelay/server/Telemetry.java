package dev.pushrelay.server;

import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;
import dev.pushrelay.http.HttpReporting;
import dev.pushrelay.logging.AccessLog;
import dev.pushrelay.logging.ErrorLog;
import dev.pushrelay.logging.ErrorLogTarget;
import dev.pushrelay.logging.LogSink;
import dev.pushrelay.metrics.MicrometerPushMetrics;
import dev.pushrelay.store.ChannelStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The telemetry of one running server (README "Operating pushrelay"): the Micrometer
 * meters, the log writer thread with every configured log file opened up front (a path
 * that cannot be written fails start-up, as in nginx), and the error-log handler.
 */
final class Telemetry implements AutoCloseable {

    private final LogSink logs;
    private final ErrorLog errorLog;
    private final MicrometerPushMetrics metrics;
    private final HttpReporting reporting;

    private Telemetry(LogSink logs, ErrorLog errorLog, MicrometerPushMetrics metrics, HttpReporting reporting) {
        this.logs = logs;
        this.errorLog = errorLog;
        this.metrics = metrics;
        this.reporting = reporting;
    }

    static Telemetry start(Settings settings, ChannelStore store, Clock clock, java.util.function.LongSupplier redisWaiting) {
        LogSink logs = new LogSink(LogSink.DEFAULT_CAPACITY);
        for (Path file : logFiles(settings)) {
            try {
                logs.open(file);
            } catch (IOException e) {
                logs.close();
                throw new IllegalStateException("cannot open log file " + file + ": " + e.getMessage(), e);
            }
        }
        logs.start();
        ZoneId zone = ZoneId.systemDefault();
        ErrorLog errorLog = ErrorLog.install(settings.errorLogs(), logs, clock, zone);
        MicrometerPushMetrics metrics = new MicrometerPushMetrics(store, logs::dropped, redisWaiting);
        String v = PushServer.class.getPackage().getImplementationVersion();
        HttpReporting obs = new HttpReporting(metrics, metrics::scrape, logs, clock, zone, v == null ? "dev" : v);
        return new Telemetry(logs, errorLog, metrics, obs);
    }

    /** Every access_log and error_log file of the configuration (stderr excluded). */
    static Set<Path> logFiles(Settings settings) {
        Set<Path> out = new LinkedHashSet<>();
        for (ErrorLogTarget t : settings.errorLogs()) {
            if (t.file() != null) out.add(t.file());
        }
        for (ServerSettings s : settings.servers()) {
            if (s.serverLevel() != null) add(out, s.serverLevel());
            for (LocationSettings l : s.locations()) add(out, l);
        }
        return out;
    }

    private static void add(Set<Path> out, LocationSettings l) {
        for (AccessLog a : l.accessLogs()) {
            if (a.file() != null) out.add(a.file());
        }
    }

    HttpReporting reporting() {
        return reporting;
    }

    void reopenLogs() {
        logs.reopen();
    }

    @Override
    public void close() {
        metrics.close();
        errorLog.close();
        logs.close();
    }
}
