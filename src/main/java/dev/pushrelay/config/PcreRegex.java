package dev.pushrelay.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PCRE pattern as nginx writes it, compiled to a Java {@link Pattern}. Named groups
 * {@code (?<name>...)}, {@code (?P<name>...)} and {@code (?'name'...)} become Java groups
 * {@code g1, g2...} (Java group names cannot hold '_', PCRE names can); their numbers
 * stay the same, so {@code $1}…{@code $9} keep PCRE's numbering.
 *
 * @param names the PCRE names of the named groups, in pattern order
 */
public record PcreRegex(String source, Pattern pattern, List<String> names) {

    public static PcreRegex compile(String pcre, boolean caseless) throws PatternSyntaxException {
        StringBuilder out = new StringBuilder(pcre.length() + 8);
        List<String> names = new ArrayList<>();
        boolean inClass = false;
        for (int i = 0; i < pcre.length(); i++) {
            char c = pcre.charAt(i);
            if (c == '\\' && i + 1 < pcre.length()) {
                out.append(c).append(pcre.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                // a ']' right after '[' or '[^' is literal
                if (i + 1 < pcre.length() && pcre.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < pcre.length() && pcre.charAt(i + 1) == ']') {
                    out.append(']');
                    i++;
                }
                continue;
            }
            if (c == '(' && pcre.startsWith("?", i + 1)) {
                int nameStart = -1;
                char close = '>';
                if (pcre.startsWith("?P<", i + 1)) {
                    nameStart = i + 4;
                } else if (pcre.startsWith("?<", i + 1) && i + 3 < pcre.length()
                        && pcre.charAt(i + 3) != '=' && pcre.charAt(i + 3) != '!') {
                    nameStart = i + 3;
                } else if (pcre.startsWith("?'", i + 1)) {
                    nameStart = i + 3;
                    close = '\'';
                }
                if (nameStart >= 0) {
                    int end = pcre.indexOf(close, nameStart);
                    if (end < 0) {
                        throw new PatternSyntaxException("unterminated group name", pcre, i);
                    }
                    names.add(pcre.substring(nameStart, end));
                    out.append("(?<g").append(names.size()).append('>');
                    i = end;
                    continue;
                }
            }
            out.append(c);
        }
        Pattern p = Pattern.compile(out.toString(), caseless ? Pattern.CASE_INSENSITIVE : 0);
        return new PcreRegex(pcre, p, List.copyOf(names));
    }

    /** Numbered groups (index 0 = whole match; null = did not participate) and named groups by PCRE name. */
    public record Captures(String[] groups, java.util.Map<String, String> named) {
        public static final Captures NONE = new Captures(new String[0], java.util.Map.of());

        /** {@code $n}: "" when absent, as nginx gives an empty value. */
        public String group(int n) {
            return n < groups.length && groups[n] != null ? groups[n] : "";
        }
    }

    /** The captures of a successful search (nginx searches, unanchored), or null when no match. */
    public Captures match(String subject) {
        Matcher m = pattern.matcher(subject);
        if (!m.find()) {
            return null;
        }
        String[] groups = new String[m.groupCount() + 1];
        for (int i = 0; i <= m.groupCount(); i++) {
            groups[i] = m.group(i);
        }
        java.util.Map<String, String> named = java.util.Map.of();
        if (!names.isEmpty()) {
            named = new java.util.HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                String v = m.group("g" + (i + 1));
                named.put(names.get(i), v == null ? "" : v);
            }
        }
        return new Captures(groups, named);
    }
}
