package dev.pushrelay.config;

import java.util.List;

/**
 * A location's {@code try_files FILE... URI|@NAME|=CODE} (protocol.md §8.11): each file
 * (variables allowed; a trailing '/' asks for a directory) is looked for under the
 * location's root or alias; the first that exists becomes the URI the location serves;
 * when none does, the last argument decides.
 *
 * @param code above 0 for {@code =CODE}
 * @param fallback the last argument when it is a URI or {@code @name}, else null
 */
public record TryFiles(List<ValueTemplate> files, ValueTemplate fallback, int code) {
    public TryFiles {
        files = List.copyOf(files);
    }
}
