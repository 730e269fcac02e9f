package dev.pushrelay.logging;

import java.nio.file.Path;

/**
 * One {@code access_log PATH [FORMAT]} of a location, resolved: the file (relative paths
 * already resolved against the main configuration file's directory), or null for
 * {@code stderr}, and the compiled format.
 */
public record AccessLog(Path file, LogFormat format) {
}
