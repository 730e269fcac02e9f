package dev.pushrelay.config;

import java.nio.file.Path;

/** Reads nginx-syntax configuration files into {@link Settings}. (Stub: implemented by the config work.) */
public final class ConfLoader {

    private ConfLoader() {
    }

    /** Loads {@code file} and everything it includes. */
    public static Settings load(Path file) throws ConfException {
        throw new ConfException(file + ": not yet");
    }

    /** Parses {@code text} as if it were the contents of {@code file} (includes resolve relative to it). */
    public static Settings parse(String text, Path file) throws ConfException {
        throw new ConfException(file + ": not yet");
    }
}
