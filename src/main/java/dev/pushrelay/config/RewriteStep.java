package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfNode;

import java.util.List;

/**
 * One compiled rewrite-module directive of a server or location, run in file order per
 * request as nginx's rewrite phases do (protocol.md §8.9); routing runs them.
 */
public sealed interface RewriteStep {

    /** {@code set $name value;} */
    record Set(String name, ValueTemplate value, ConfNode node) implements RewriteStep {
    }

    /** {@code return code [text];} */
    record Ret(int code, ValueTemplate text, ConfNode node) implements RewriteStep {
    }

    /** {@code break;}: stops the rewrite directives and keeps the current location. */
    record Break(ConfNode node) implements RewriteStep {
    }

    /** {@code if (condition) { ... }}: the body runs when the condition holds. */
    record If(Condition condition, List<RewriteStep> body, ConfNode node) implements RewriteStep {
        public If {
            body = List.copyOf(body);
        }
    }

    /**
     * {@code rewrite regex replacement [flag];}
     *
     * @param uri the replacement up to its first '?' (the new $uri, or the redirect's target)
     * @param args the replacement after its first '?' (the new $args), null when it has none
     * @param addArgs whether the request's own args are appended (no trailing '?' was written)
     * @param redirect 301 or 302 for a redirect (permanent, redirect, or a replacement starting
     *        with http://, https:// or $scheme), 0 for an internal rewrite
     */
    record Rewrite(PcreRegex regex, ValueTemplate uri, ValueTemplate args, boolean addArgs, Flag flag, int redirect,
                   ConfNode node) implements RewriteStep {
    }

    /** What an internal rewrite does next. */
    public enum Flag {
        /** no flag: go on with the next directive, then search the locations again */
        NONE,
        /** stop here and search the locations again */
        LAST,
        /** stop here and stay in this location */
        BREAK
    }
}
