package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The condition of an {@code if} block, as nginx's ngx_http_rewrite_if_condition parses
 * it (protocol.md §8.9): a variable alone (false when "" or "0"), {@code =} / {@code !=}
 * against a value with variables, {@code ~} / {@code ~*} / {@code !~} / {@code !~*} against
 * a regex (a match sets $1... and named captures), and the file tests {@code -f}, {@code -d},
 * {@code -e}, {@code -x} and their {@code !} forms.
 */
sealed interface Condition {

    boolean test(RequestVariables ev);

    record Truthy(ValueTemplate value) implements Condition {
        @Override
        public boolean test(RequestVariables ev) {
            String v = value.evaluate(ev);
            return !(v.isEmpty() || v.equals("0"));
        }
    }

    record Equals(ValueTemplate left, ValueTemplate right, boolean negate) implements Condition {
        @Override
        public boolean test(RequestVariables ev) {
            return left.evaluate(ev).equals(right.evaluate(ev)) != negate;
        }
    }

    record Matches(ValueTemplate left, PcreRegex regex, boolean negate) implements Condition {
        @Override
        public boolean test(RequestVariables ev) {
            PcreRegex.Captures c = regex.match(left.evaluate(ev));
            if (c != null && !negate) {
                ev.captured(c);
            }
            return (c != null) != negate;
        }
    }

    /** @param kind 'f' regular file, 'd' directory, 'e' exists, 'x' executable */
    record FileTest(ValueTemplate path, char kind, boolean negate) implements Condition {
        @Override
        public boolean test(RequestVariables ev) {
            boolean r;
            try {
                Path p = Path.of(path.evaluate(ev));
                r = switch (kind) {
                    case 'f' -> Files.isRegularFile(p);
                    case 'd' -> Files.isDirectory(p);
                    case 'e' -> Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.exists(p);
                    default -> Files.isExecutable(p) && Files.isRegularFile(p);
                };
            } catch (InvalidPathException e) {
                r = false;
            }
            return r != negate;
        }
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
