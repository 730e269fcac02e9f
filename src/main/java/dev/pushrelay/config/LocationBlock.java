package dev.pushrelay.config;

import java.util.List;

/**
 * One compiled {@code location} block, as the loader leaves it for routing: how it matches,
 * its merged settings, its own rewrite directives and the locations nested in it
 * (protocol.md §8.0). Data only; the search over these is nginx's and lives in routing.
 *
 * @param name the URI prefix, exact URI, regex source or {@code @name}, without modifier
 * @param regex the compiled regex for {@link Kind#REGEX}, else null
 * @param rewrite the block's own rewrite directives in file order (not inherited)
 */
public record LocationBlock(Kind kind, String name, PcreRegex regex, LocationSettings settings,
                            List<RewriteStep> rewrite, List<LocationBlock> nested) {

    /** nginx's location modifiers: {@code =}, none, {@code ^~}, {@code ~}/{@code ~*}, {@code @}. */
    public enum Kind { EXACT, PREFIX, PREFIX_NOREGEX, REGEX, NAMED }

    public LocationBlock {
        rewrite = List.copyOf(rewrite);
        nested = List.copyOf(nested);
    }
}
