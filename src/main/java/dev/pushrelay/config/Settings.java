package dev.pushrelay.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded configuration: immutable once built.
 *
 * @param file the main configuration file
 * @param maxReservedMemory push_max_reserved_memory in bytes (http level, default 32M)
 * @param servers the server blocks (at least one; bare locations form one default server)
 * @param ignored one line per accepted directive that cannot change push behaviour,
 *        as {@code "file:line: name"}, listed once at start-up and by -t
 * @param process pid file, state file and shutdown window (README "Operating pushrelay")
 */
public record Settings(Path file, long maxReservedMemory, List<ServerSettings> servers, List<String> ignored,
                       ProcessSettings process) {
    public Settings {
        servers = List.copyOf(servers);
        ignored = List.copyOf(ignored);
    }
}
