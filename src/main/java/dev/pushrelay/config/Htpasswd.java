package dev.pushrelay.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An auth_basic_user_file, read when the configuration is loaded (start and reload), not on
 * every request as nginx does (protocol.md §8.10). Lines are {@code user:hash[:comment]};
 * '#' starts a comment line; the first line of a user counts. A file that cannot be read
 * does not stop the start (nginx starts too): each request that needs it gets nginx's
 * answer then, 403 when the file is missing and 500 otherwise, with nginx's error-log line.
 */
final class Htpasswd {

    private final Path path;
    private final Map<String, String> hashes;
    /** null when read; else nginx's error-log line for the failure */
    private final String failure;
    private final boolean missing;

    private Htpasswd(Path path, Map<String, String> hashes, String failure, boolean missing) {
        this.path = path;
        this.hashes = hashes;
        this.failure = failure;
        this.missing = missing;
    }

    static Htpasswd load(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new Htpasswd(path, Map.of(), "open() \"" + path + "\" failed (2: No such file or directory)", true);
        } catch (IOException e) {
            String why = Files.isDirectory(path) ? "21: Is a directory" : String.valueOf(e.getMessage());
            return new Htpasswd(path, Map.of(), "pread() \"" + path + "\" failed (" + why + ")", false);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String rest = line.substring(colon + 1);
            int end = rest.indexOf(':');
            m.putIfAbsent(line.substring(0, colon), end < 0 ? rest : rest.substring(0, end));
        }
        return new Htpasswd(path, Map.copyOf(m), null, false);
    }

    Path path() {
        return path;
    }

    /** nginx's error-log line when the file could not be read, else null. */
    String failure() {
        return failure;
    }

    /** The file did not exist (nginx answers 403), rather than could not be read (500). */
    boolean missing() {
        return missing;
    }

    /** The hash of {@code user}, or null when the file has no such user. */
    String hash(String user) {
        return hashes.get(user);
    }
}
