package dev.pushrelay.config;

import dev.pushrelay.logging.ErrorLogTarget;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded configuration: immutable once built.
 *
 * @param file the main configuration file
 * @param maxReservedMemory push_max_reserved_memory in bytes (http level, default 32M)
 * @param servers the server blocks (at least one; bare locations form one default server)
 * @param ignored one line per accepted directive that cannot change push behaviour,
 *        as {@code "file:line: name"}, listed once at start-up and by -t; also a missing
 *        mime.types and nginx's types "duplicate extension" warnings (protocol.md §8.6)
 * @param errorLogs main- and http-level error_log targets (empty: the console, as before)
 * @param process pid file, state file and shutdown window (README "Operating pushrelay")
 */
public record Settings(Path file, long maxReservedMemory, List<ServerSettings> servers, List<String> ignored,
                       List<ErrorLogTarget> errorLogs, ProcessSettings process) {
    public Settings {
        servers = List.copyOf(servers);
        ignored = List.copyOf(ignored);
        errorLogs = errorLogs == null ? List.of() : List.copyOf(errorLogs);
        process = process == null ? ProcessSettings.defaults(file) : process;
    }

    /** Without error_log (records go to the console) and with the default process settings. */
    public Settings(Path file, long maxReservedMemory, List<ServerSettings> servers, List<String> ignored) {
        this(file, maxReservedMemory, servers, ignored, List.of(), ProcessSettings.defaults(file));
    }
}
