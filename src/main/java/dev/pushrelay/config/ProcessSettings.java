package dev.pushrelay.config;

import java.nio.file.Path;

/**
 * Settings of the pushrelay process itself rather than of its locations (README "Operating
 * pushrelay: stop, reload, restart"). Relative paths are already resolved against the
 * directory of the main configuration file.
 *
 * @param pidFile {@code pid PATH;} where the process id is written for {@code -s stop|reload};
 *        default {@code pushrelay.pid} next to the configuration file
 * @param statePath {@code pushrelay_state_path PATH;} where buffered messages are saved at
 *        stop and restored at start; null (the default) keeps nothing across restarts
 * @param shutdownWindowMillis {@code pushrelay_shutdown_window TIME;} over how long a graceful
 *        stop spreads the answers to waiting long-polls; 0 answers all at once
 */
public record ProcessSettings(Path pidFile, Path statePath, long shutdownWindowMillis) {

    /** The default of {@code pushrelay_shutdown_window}. */
    public static final long DEFAULT_SHUTDOWN_WINDOW_MILLIS = 1000;

    /** The defaults for a configuration file at {@code confFile}. */
    public static ProcessSettings defaults(Path confFile) {
        return new ProcessSettings(baseDir(confFile).resolve("pushrelay.pid"), null, DEFAULT_SHUTDOWN_WINDOW_MILLIS);
    }

    /** The directory relative paths of the configuration resolve against. */
    static Path baseDir(Path confFile) {
        Path parent = confFile.toAbsolutePath().normalize().getParent();
        return parent != null ? parent : Path.of("").toAbsolutePath();
    }
}
