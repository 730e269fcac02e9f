package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The condition of an {@code if} block, as nginx's ngx_http_rewrite_if_condition parses
 * it (protocol.md §8.9): a variable alone (false when "" or "0"), {@code =} / {@code !=}
 * against a value with variables, {@code ~} / {@code ~*} / {@code !~} / {@code !~*} against
 * a regex (a match sets $1... and named captures), and the file tests {@code -f}, {@code -d},
 * {@code -e}, {@code -x} and their {@code !} forms. Routing tests it for a request.
 */
public sealed interface Condition {

    /** A variable alone: false when "" or "0". */
    record Truthy(ValueTemplate value) implements Condition {
    }

    record Equals(ValueTemplate left, ValueTemplate right, boolean negate) implements Condition {
    }

    /** A match (not negated) sets the captures. */
    record Matches(ValueTemplate left, PcreRegex regex, boolean negate) implements Condition {
    }

    /** @param kind 'f' regular file, 'd' directory, 'e' exists, 'x' executable */
    record FileTest(ValueTemplate path, char kind, boolean negate) implements Condition {
    }

    /**
     * The arguments of {@code if}: the first starts with '(' and the last ends with ')',
     * which may also stand alone ({@code if ( $a )}).
     *
     * @param namedCaptures receives the names of a regex's named groups (they define variables)
     */
    static Condition parse(ConfNode n, List<String> namedCaptures) throws ConfException {
        List<String> a = new ArrayList<>(n.args());
        String first = a.get(0);
        String last = a.get(a.size() - 1);
        if (!first.startsWith("(") || !last.endsWith(")")) {
            throw n.error("invalid condition \"" + String.join(" ", n.args()) + "\"");
        }
        if (a.size() == 1) {
            first = first.substring(1, first.length() - 1);
            a.set(0, first);
        } else {
            a.set(0, first.substring(1));
            a.set(a.size() - 1, last.substring(0, last.length() - 1));
        }
        a.removeIf(String::isEmpty);
        if (a.isEmpty()) {
            throw n.error("invalid condition \"" + String.join(" ", n.args()) + "\"");
        }
        String head = a.get(0);
        if (head.length() > 1 && head.charAt(0) == '$') {
            ValueTemplate var = variable(head, n);
            if (a.size() == 1) {
                return new Truthy(var);
            }
            if (a.size() != 3) {
                throw n.error("invalid condition \"" + String.join(" ", n.args()) + "\"");
            }
            String op = a.get(1);
            String operand = a.get(2);
            switch (op) {
                case "=", "!=" -> {
                    return new Equals(var, ValueTemplate.compile(operand, n), op.equals("!="));
                }
                case "~", "~*", "!~", "!~*" -> {
                    PcreRegex re;
                    try {
                        re = PcreRegex.compile(operand, op.endsWith("*"));
                    } catch (PatternSyntaxException e) {
                        throw n.error("invalid regex \"" + operand + "\": " + e.getDescription());
                    }
                    namedCaptures.addAll(re.names());
                    return new Matches(var, re, op.startsWith("!"));
                }
                default -> throw n.error("unexpected \"" + op + "\" in condition");
            }
        }
        boolean negate = head.startsWith("!");
        String test = negate ? head.substring(1) : head;
        if (test.length() == 2 && test.charAt(0) == '-' && "fdex".indexOf(test.charAt(1)) >= 0) {
            if (a.size() != 2) {
                throw n.error("invalid condition \"" + String.join(" ", n.args()) + "\"");
            }
            return new FileTest(ValueTemplate.compile(a.get(1), n), test.charAt(1), negate);
        }
        throw n.error("invalid condition \"" + head + "\"");
    }

    private static ValueTemplate variable(String s, ConfNode n) throws ConfException {
        ValueTemplate e = ValueTemplate.compile(s, n);
        if (e.parts().size() != 1 || e.parts().get(0).kind() == ValueTemplate.Kind.LITERAL) {
            throw n.error("invalid condition \"" + s + "\"");
        }
        return e;
    }
}
