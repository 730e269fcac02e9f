package dev.pushrelay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The {@code pid} file, as nginx keeps it: the process id and a newline, written at start,
 * read by {@code pushrelay -s stop|reload}, removed at exit if it is still ours.
 */
final class PidFile {

    private PidFile() {
    }

    /** @return null, or a warning line when it cannot be written (the server runs on; signals via kill still work) */
    static String write(Path path, long pid) {
        try {
            Files.writeString(path, pid + "\n", StandardCharsets.US_ASCII);
            return null;
        } catch (IOException e) {
            return "[warn] cannot write pid file " + path + " (" + e + "); -s stop|reload will not find this process";
        }
    }

    /** Removes {@code path} if it still names {@code pid} (a newer process may have taken it over). */
    static void removeIfOurs(Path path, long pid) {
        try {
            if (Files.readString(path, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) {
                Files.delete(path);
            }
        } catch (IOException ignored) {
            // gone already, or not ours to remove
        }
    }

    /**
     * @throws IllegalStateException with an nginx-like message when missing or not a pid
     */
    static long read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("open() \"" + path + "\" failed (No such file or directory); is pushrelay running?");
        } catch (IOException e) {
            throw new IllegalStateException("open() \"" + path + "\" failed (" + e.getMessage() + ")");
        }
        try {
            long pid = Long.parseLong(text);
            if (pid <= 0) throw new NumberFormatException();
            return pid;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("invalid PID number \"" + text + "\" in \"" + path + "\"");
        }
    }
}
