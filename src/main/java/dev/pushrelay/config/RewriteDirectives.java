package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the rewrite module's directives ({@code set}, {@code return}, {@code rewrite},
 * {@code break}, {@code if}) of one server or location into {@link RewriteStep}s, in file
 * order, with nginx's argument checks and messages (protocol.md §8.9).
 */
final class RewriteDirectives {

    static final Set<String> NAMES = Set.of("set", "return", "rewrite", "break", "if");

    private RewriteDirectives() {
    }

    /** The registry entries (server and location, as nginx's; {@code if} is a block). */
    static List<DirectiveTable.Spec> entries() {
        int srvLoc = DirectiveTable.SRV | DirectiveTable.LOC;
        DirectiveTable.Handler h = (n, c) -> apply(n, c.rewrite, c.load.definedVariables, c.load.notes);
        return List.of(new DirectiveTable.Spec("set", srvLoc, 2, 2, false, false, false, h),
                new DirectiveTable.Spec("rewrite", srvLoc, 2, 3, false, false, false, h),
                new DirectiveTable.Spec("break", srvLoc, 0, 0, false, false, false, h),
                new DirectiveTable.Spec("if", srvLoc, 1, DirectiveTable.MANY, true, false, false, h),
                new DirectiveTable.Spec("return", srvLoc, 1, 2, false, false, false, h));
    }

    /**
     * @param defined receives the user variables this directive defines ({@code set}, named captures)
     * @param ignored receives the ignored directives found inside an {@code if} block
     */
    static void apply(ConfNode n, List<RewriteStep> into, Set<String> defined, List<String> ignored)
            throws ConfException {
        switch (n.name()) {
            case "set" -> into.add(set(n, defined));
            case "return" -> into.add(ret(n));
            case "break" -> into.add(new RewriteStep.Break(n));
            case "rewrite" -> into.add(rewrite(n, defined));
            case "if" -> into.add(ifBlock(n, defined, ignored));
            default -> throw new IllegalStateException("not a rewrite directive: " + n.name());
        }
    }

    /** nginx's {@code set $name value}: the value is compiled once; protocol.md §1. */
    private static RewriteStep set(ConfNode n, Set<String> defined) throws ConfException {
        String var = n.arg(0);
        if (var.length() < 2 || var.charAt(0) != '$') {
            throw n.error("invalid variable name \"" + var + "\"");
        }
        String name = var.substring(1).toLowerCase(Locale.ROOT);
        if (ValueTemplate.isBuiltin(name)) {
            throw n.error("the duplicate \"" + name + "\" variable");
        }
        defined.add(name);
        return new RewriteStep.Set(name, ValueTemplate.compile(n.arg(1), n), n);
    }

    /** nginx's {@code return}: a URL alone means 302; codes above 999 are invalid. */
    private static RewriteStep ret(ConfNode n) throws ConfException {
        String first = n.arg(0);
        long code = ValueSyntax.number(first);
        if (n.args().size() == 1 && code < 0 && isRedirectTarget(first)) {
            return new RewriteStep.Ret(302, ValueTemplate.compile(first, n), n);
        }
        if (code < 0 || code > 999) {
            throw n.error("invalid return code \"" + first + "\"");
        }
        ValueTemplate text = n.args().size() == 2 ? ValueTemplate.compile(n.arg(1), n) : null;
        return new RewriteStep.Ret((int) code, text, n);
    }

    private static boolean isRedirectTarget(String s) {
        return s.startsWith("http://") || s.startsWith("https://") || s.startsWith("$scheme");
    }

    /**
     * nginx's ngx_http_rewrite: a replacement starting with http://, https:// or $scheme is
     * a 302 (whatever the flag, unless permanent); a trailing '?' drops the request's args
     * and is not part of the replacement; the first '?' splits the new URI from the new args.
     */
    private static RewriteStep rewrite(ConfNode n, Set<String> defined) throws ConfException {
        PcreRegex regex;
        try {
            regex = PcreRegex.compile(n.arg(0), false);
        } catch (PatternSyntaxException e) {
            throw n.error("invalid regex \"" + n.arg(0) + "\": " + e.getDescription());
        }
        for (String g : regex.names()) {
            defined.add(g.toLowerCase(Locale.ROOT));
        }
        String replacement = n.arg(1);
        int redirect = isRedirectTarget(replacement) ? 302 : 0;
        RewriteStep.Flag flag = RewriteStep.Flag.NONE;
        if (n.args().size() == 3) {
            switch (n.arg(2)) {
                case "last" -> flag = RewriteStep.Flag.LAST;
                case "break" -> flag = RewriteStep.Flag.BREAK;
                case "redirect" -> redirect = 302;
                case "permanent" -> redirect = 301;
                default -> throw n.error("invalid parameter \"" + n.arg(2) + "\"");
            }
        }
        boolean addArgs = true;
        if (replacement.endsWith("?")) {
            addArgs = false;
            replacement = replacement.substring(0, replacement.length() - 1);
        }
        int q = replacement.indexOf('?');
        ValueTemplate uri = ValueTemplate.compile(q < 0 ? replacement : replacement.substring(0, q), n);
        ValueTemplate args = q < 0 ? null : ValueTemplate.compile(replacement.substring(q + 1), n);
        return new RewriteStep.Rewrite(regex, uri, args, addArgs, flag, redirect, n);
    }

    /**
     * An {@code if} block holds rewrite directives (and directives pushrelay ignores anyway);
     * other directives inside {@code if} would change the location's settings for the request,
     * which pushrelay does not do, so they stop the start.
     */
    private static RewriteStep ifBlock(ConfNode n, Set<String> defined, List<String> ignored) throws ConfException {
        List<String> names = new ArrayList<>();
        Condition c = Condition.parse(n, names);
        for (String g : names) {
            defined.add(g.toLowerCase(Locale.ROOT));
        }
        List<RewriteStep> body = new ArrayList<>();
        for (ConfNode child : n.children()) {
            DirectiveTable.Spec spec = DirectiveTable.find(child.name());
            if (spec == null) {
                throw child.error("unknown directive \"" + child.name() + "\"");
            }
            if (child.name().equals("if")) {
                throw child.error("\"if\" directive is not allowed here");
            }
            DirectiveTable.check(child, spec);
            if (NAMES.contains(child.name())) {
                apply(child, body, defined, ignored);
            } else if (spec.ignored() || child.name().equals("rewrite_log")) {
                // rewrite_log inside if: accepted, as nginx; the enclosing level's setting logs
                ignored.add(child.where() + ": " + child.name());
            } else {
                throw child.error("\"" + child.name() + "\" directive inside \"if\" is not supported by pushrelay");
            }
        }
        return new RewriteStep.If(c, body, n);
    }

    /** Every value a step reads (for the load-time "unknown variable" check), with the node to blame. */
    static void reads(List<RewriteStep> steps, List<Map.Entry<ConfNode, ValueTemplate>> out) {
        for (RewriteStep s : steps) {
            if (s instanceof RewriteStep.Set set) {
                out.add(Map.entry(set.node(), set.value()));
            } else if (s instanceof RewriteStep.Ret r && r.text() != null) {
                out.add(Map.entry(r.node(), r.text()));
            } else if (s instanceof RewriteStep.Rewrite r) {
                out.add(Map.entry(r.node(), r.uri()));
                if (r.args() != null) {
                    out.add(Map.entry(r.node(), r.args()));
                }
            } else if (s instanceof RewriteStep.If i) {
                Condition c = i.condition();
                if (c instanceof Condition.Truthy t) {
                    out.add(Map.entry(i.node(), t.value()));
                } else if (c instanceof Condition.Equals e) {
                    out.add(Map.entry(i.node(), e.left()));
                    out.add(Map.entry(i.node(), e.right()));
                } else if (c instanceof Condition.Matches m) {
                    out.add(Map.entry(i.node(), m.left()));
                } else if (c instanceof Condition.FileTest f) {
                    out.add(Map.entry(i.node(), f.path()));
                }
                reads(i.body(), out);
            }
        }
    }
}
