package dev.pushrelay.config.routing;

import dev.pushrelay.config.LocationBlock.Kind;
import dev.pushrelay.config.LocationBlock;
import dev.pushrelay.config.PcreRegex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The locations of one level (a server, or the inside of a location), searched as
 * nginx's {@code ngx_http_core_find_location}: an {@code =} location equal to the URI
 * wins at once; otherwise the longest prefix location is remembered and its nested
 * locations searched; then, unless that prefix location is {@code ^~}, the regex
 * locations of this level are tried in file order and the first match wins (its nested
 * locations are searched too); else the remembered prefix location is used.
 * Immutable after construction.
 */
final class LocationMatcher {

    static final LocationMatcher EMPTY = new LocationMatcher(List.of());

    /** One location with the matcher of the locations nested in it. */
    record Loc(LocationBlock block, LocationMatcher nested) {
        Kind kind() {
            return block.kind();
        }

        String name() {
            return block.name();
        }
    }

    /** The chosen location, and whether the search is final (nginx's NGX_OK). */
    record Found(LocationBlock loc, boolean done) {
    }

    private final Map<String, Loc> exact = new HashMap<>();
    /** {@code location @name}: reached only by error_page and try_files (protocol.md §8.11) */
    private final Map<String, Loc> named = new HashMap<>();
    /**
     * An array, not a List: List.copyOf's class depends on the count (List12 up to two,
     * ListN above), and the compiled find() of the warm-up's configuration then trapped on
     * the first request of a real one with another count (BENCHMARKS.md, "Cold 1×1's tail").
     */
    private final Loc[] prefixes;
    private final List<Loc> regexes = new ArrayList<>();

    LocationMatcher(List<LocationBlock> blocks) {
        List<Loc> p = new ArrayList<>();
        for (LocationBlock b : blocks) {
            Loc l = new Loc(b, b.nested().isEmpty() ? EMPTY : new LocationMatcher(b.nested()));
            switch (b.kind()) {
                case EXACT -> exact.put(b.name(), l);
                case PREFIX, PREFIX_NOREGEX -> p.add(l);
                case REGEX -> regexes.add(l);
                case NAMED -> named.put(b.name(), l);
            }
        }
        // longest first, so the first prefix of the URI is the longest one
        p.sort(Comparator.comparingInt((Loc l) -> l.name().length()).reversed());
        prefixes = p.toArray(new Loc[0]);
    }

    /** The named location {@code @name} of this level, or null. */
    LocationBlock named(String name) {
        Loc l = named.get(name);
        return l == null ? null : l.block();
    }

    Found find(String uri, RequestVariables ev) {
        Loc e = exact.get(uri);
        if (e != null) {
            return new Found(e.block(), true);
        }
        Loc current = null;
        boolean noregex = false;
        for (Loc l : prefixes) {
            if (uri.startsWith(l.name())) {
                current = l;
                break;
            }
        }
        LocationBlock chosen = current == null ? null : current.block();
        if (current != null) {
            noregex = current.kind() == Kind.PREFIX_NOREGEX;
            Found sub = current.nested().find(uri, ev);
            if (sub.done()) {
                return sub;
            }
            if (sub.loc() != null) {
                chosen = sub.loc();
            }
        }
        if (!noregex) {
            for (int i = 0, n = regexes.size(); i < n; i++) {
                Loc r = regexes.get(i);
                PcreRegex.Captures c = r.block().regex().match(uri);
                if (c != null) {
                    ev.captured(c);
                    Found sub = r.nested().find(uri, ev);
                    return new Found(sub.loc() != null ? sub.loc() : r.block(), true);
                }
            }
        }
        return new Found(chosen, false);
    }
}
