package dev.pushrelay.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the directives of one load share, reached from any level through
 * {@link LevelDirectives#load}: the directory relative paths resolve against, the notes
 * listed at start-up, the user variables defined anywhere (nginx checks variable names
 * once the whole file is read), the htpasswd files read so far, and the http level.
 */
final class LoadContext {

    /** the main configuration file's directory (protocol.md §8.6, §8.10) */
    final Path baseDir;
    /** ignored directives and warnings, as {@code file:line: ...} */
    final List<String> notes;
    /** {@code set} variables and named captures, lowercased */
    final Set<String> definedVariables = new HashSet<>();
    /** auth_basic_user_file, read once per path per load */
    final Map<Path, Htpasswd> userFiles = new HashMap<>();
    /** the http level (the implicit one of a file without http block) */
    final LevelDirectives http;

    LoadContext(Path file, List<String> notes) {
        Path dir = file.toAbsolutePath().getParent();
        this.baseDir = dir == null ? Path.of("").toAbsolutePath() : dir;
        this.notes = notes;
        this.http = new LevelDirectives(this);
    }
}
