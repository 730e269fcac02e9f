package dev.pushrelay.logging;

import java.nio.file.Path;

/**
 * One {@code error_log PATH [LEVEL]}: the file (resolved), or null for {@code stderr},
 * and the least severe level written (nginx's default: error).
 */
public record ErrorLogTarget(Path file, LogLevel level) {
}
