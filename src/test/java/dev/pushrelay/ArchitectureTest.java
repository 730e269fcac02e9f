package dev.pushrelay;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering of src/main (README "How it is built"), read from the sources: every import
 * and every fully qualified name in code (comments and string literals are skipped).
 *
 * <ul>
 *   <li>The domain, {@code channel} and {@code store} with their subpackages, never refers to
 *       Undertow, XNIO or Micrometer: it can be tested, and stored elsewhere, without HTTP.</li>
 *   <li>No two packages depend on each other, directly or around a loop.</li>
 * </ul>
 */
class ArchitectureTest {

    static final Path MAIN = Path.of("src/main/java");
    static final List<String> DOMAIN = List.of("dev.pushrelay.channel", "dev.pushrelay.store");
    static final List<String> NOT_IN_DOMAIN = List.of("io.undertow", "org.xnio", "io.micrometer");

    /** A package name followed by a type name: what an import or a qualified name refers to. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b((?:[a-z][a-z0-9_]*\\.)+)(?:[A-Z*])");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    /** One reference from a source file: where it is and the package it names. */
    record Ref(Path file, int line, String pkg) {
        @Override
        public String toString() {
            return MAIN.relativize(file) + ":" + line + " refers to " + pkg;
        }
    }

    @Test
    void the_domain_never_refers_to_undertow_xnio_or_micrometer() {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<Ref>> e : references().entrySet()) {
            if (!inAny(e.getKey(), DOMAIN)) continue;
            for (Ref r : e.getValue()) if (inAny(r.pkg(), NOT_IN_DOMAIN)) violations.add(r.toString());
        }
        assertEquals(List.of(), violations, "channel and store must not depend on the HTTP server or the metrics library");
    }

    @Test
    void packages_form_no_cycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        references().forEach((pkg, refs) -> {
            Set<String> to = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (Ref r : refs) if (r.pkg().startsWith("dev.pushrelay") && !r.pkg().equals(pkg)) to.add(r.pkg());
        });
        assertTrue(graph.size() > 5, "found the packages of src/main/java: " + graph.keySet());
        List<String> cycle = findCycle(graph);
        assertEquals(List.of(), cycle, "a package cycle (each depends on the next): " + cycle
                + "; where: " + where(cycle));
    }

    /** The packages in {@code cycle} each refer to the next by these lines. */
    private static List<String> where(List<String> cycle) {
        Map<String, List<Ref>> refs = references();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i + 1 < cycle.size(); i++) {
            String to = cycle.get(i + 1);
            refs.get(cycle.get(i)).stream().filter(r -> r.pkg().equals(to)).findFirst()
                    .ifPresent(r -> lines.add(r.toString()));
        }
        return lines;
    }

    /** A cycle as [a, b, ..., a], or empty when the graph has none (depth-first search). */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1 on the current path, 2 finished
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> found = visit(start, graph, state, path);
            if (!found.isEmpty()) return found;
        }
        return List.of();
    }

    private static List<String> visit(String pkg, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(pkg);
        if (s != null && s == 2) return List.of();
        if (s != null && s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(pkg), path.size()));
            cycle.add(pkg);
            return cycle;
        }
        state.put(pkg, 1);
        path.add(pkg);
        for (String next : graph.getOrDefault(pkg, Set.of())) {
            List<String> found = visit(next, graph, state, path);
            if (!found.isEmpty()) return found;
        }
        path.remove(path.size() - 1);
        state.put(pkg, 2);
        return List.of();
    }

    @Test
    void the_scan_sees_imports_qualified_names_and_skips_comments_and_strings() {
        String code = """
                package a.b;
                import c.d.E;
                import static f.g.H.i;
                // import x.y.Z;
                /* y.z.W */ class K { Object o = j.k.L.of(); String s = "m.n.O"; char q = '"'; n.o.P p; }
                """;
        List<String> pkgs = scan(Path.of("K.java"), code).stream().map(Ref::pkg).toList();
        assertEquals(List.of("c.d", "f.g", "j.k", "n.o"), pkgs);
    }

    static boolean inAny(String pkg, List<String> roots) {
        return roots.stream().anyMatch(r -> pkg.equals(r) || pkg.startsWith(r + "."));
    }

    /** Every package of src/main/java with what its files refer to. */
    static Map<String, List<Ref>> references() {
        Map<String, List<Ref>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher m = PACKAGE.matcher(text);
                if (!m.find()) throw new AssertionError(f + " has no package declaration");
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).addAll(scan(f, text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The packages {@code text} refers to, in order, outside its package line, comments and literals. */
    static List<Ref> scan(Path file, String text) {
        String code = PACKAGE.matcher(blankCommentsAndLiterals(text)).replaceAll("");
        List<Ref> refs = new ArrayList<>();
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            int line = 1;
            for (int i = 0; i < m.start(); i++) if (code.charAt(i) == '\n') line++;
            String pkg = m.group(1).substring(0, m.group(1).length() - 1);
            if (m.start() > 0 && code.charAt(m.start() - 1) == '.') continue; // a field or method chain, not a name
            refs.add(new Ref(file, line, pkg));
        }
        return refs;
    }

    /**
     * {@code text} with comments, string and char literals (text blocks too) replaced by spaces,
     * newlines kept so line numbers stay right.
     */
    static String blankCommentsAndLiterals(String text) {
        StringBuilder b = new StringBuilder(text);
        int i = 0;
        while (i < b.length()) {
            char c = b.charAt(i);
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                if (end < 0) end = text.length();
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2) + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = text.indexOf("\"\"\"", i + 3) + 3;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (text.charAt(end) != c) end += text.charAt(end) == '\\' ? 2 : 1;
                end++;
            } else {
                i++;
                continue;
            }
            if (end < i) throw new AssertionError("unterminated comment or literal at offset " + i);
            for (int k = i; k < end; k++) if (b.charAt(k) != '\n') b.setCharAt(k, ' ');
            i = end;
        }
        return b.toString();
    }
}
