package dev.pushrelay.config.routing;

import dev.pushrelay.config.Condition;
import dev.pushrelay.config.PcreRegex;
import dev.pushrelay.config.Return;
import dev.pushrelay.config.RewriteStep;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Runs the rewrite directives of one server or location for a request, as nginx's
 * ngx_http_rewrite_handler runs its compiled script (protocol.md §8.9): {@code set}
 * assigns, {@code return} answers, {@code break} stops and stays, {@code if} runs its body
 * when its condition holds, and {@code rewrite} replaces $uri/$args when its regex matches
 * $uri (its captures become $1...), then goes on (no flag), stops and asks for a new
 * location search ({@code last}), stops and stays ({@code break}), or answers with a redirect.
 * With {@code rewrite_log on} each regex test and each rewrite result is logged at notice
 * level in nginx's words ({@code "REGEX" matches "URI"}, {@code rewritten data: ...}).
 */
final class RewritePhase {

    /**
     * @param response non-null when a {@code return} or a redirecting {@code rewrite} answered
     * @param stopped a {@code break}, {@code last} or answer ended the directives early
     * @param research the URI changed and the locations must be searched again
     */
    record Outcome(Return response, boolean stopped, boolean research) {
        static final Outcome NOTHING = new Outcome(null, false, false);
    }

    private static final Logger LOG = Logger.getLogger(RewritePhase.class.getName());

    private RewritePhase() {
    }

    /** @param log rewrite_log of the server or location whose directives these are */
    static Outcome run(List<RewriteStep> steps, RequestVariables ev, boolean log) {
        boolean changed = false;
        for (int k = 0, n = steps.size(); k < n; k++) { // indexed: no iterator per request (RandomAccess lists)
            RewriteStep step = steps.get(k);
            if (step instanceof RewriteStep.Set set) {
                ev.set(set.name(), ev.evaluate(set.value()));
            } else if (step instanceof RewriteStep.Ret r) {
                return new Outcome(new Return(r.code(), r.text() == null ? null : ev.evaluate(r.text())), true, false);
            } else if (step instanceof RewriteStep.Break) {
                return new Outcome(null, true, false); // nginx's break code also clears uri_changed
            } else if (step instanceof RewriteStep.If i) {
                if (holds(i.condition(), ev, log)) {
                    Outcome o = run(i.body(), ev, log);
                    if (o.response() != null) {
                        return o;
                    }
                    if (o.stopped()) {
                        return new Outcome(null, true, o.research());
                    }
                    changed |= o.research();
                }
            } else if (step instanceof RewriteStep.Rewrite r) {
                PcreRegex.Captures c = match(r.regex(), ev.uri(), ev, log);
                if (c == null) {
                    continue;
                }
                ev.captured(c);
                String uri = ev.evaluate(r.uri());
                String args = r.args() == null ? null : ev.evaluate(r.args());
                String old = ev.args();
                if (r.addArgs() && !old.isEmpty()) {
                    args = args == null ? old : args + "&" + old;
                }
                if (r.redirect() != 0) {
                    String location = args == null ? uri : uri + "?" + args;
                    if (log) {
                        LOG.info("rewritten redirect: \"" + location + "\"" + ev.logContext());
                    }
                    return new Outcome(new Return(r.redirect(), location), true, false);
                }
                ev.rewritten(uri, args == null ? "" : args);
                if (log) {
                    LOG.info("rewritten data: \"" + uri + "\", args: \"" + ev.args() + "\"" + ev.logContext());
                }
                switch (r.flag()) {
                    case BREAK -> {
                        return new Outcome(null, true, false);
                    }
                    case LAST -> {
                        return new Outcome(null, true, true);
                    }
                    default -> changed = true;
                }
            }
        }
        return changed ? new Outcome(null, false, true) : Outcome.NOTHING;
    }

    /** nginx's regex start code: the match, logged when rewrite_log is on. */
    private static PcreRegex.Captures match(PcreRegex regex, String subject, RequestVariables ev, boolean log) {
        PcreRegex.Captures c = regex.match(subject);
        if (log) {
            LOG.info("\"" + regex.source() + "\" " + (c == null ? "does not match" : "matches") + " \"" + subject + "\""
                    + ev.logContext());
        }
        return c;
    }

    /** An {@code if} condition for this request, as nginx's script codes test it. */
    static boolean holds(Condition condition, RequestVariables ev, boolean log) {
        if (condition instanceof Condition.Truthy t) {
            String v = ev.evaluate(t.value());
            return !(v.isEmpty() || v.equals("0"));
        }
        if (condition instanceof Condition.Equals e) {
            return ev.evaluate(e.left()).equals(ev.evaluate(e.right())) != e.negate();
        }
        if (condition instanceof Condition.Matches m) {
            PcreRegex.Captures c = match(m.regex(), ev.evaluate(m.left()), ev, log);
            if (c != null && !m.negate()) {
                ev.captured(c);
            }
            return (c != null) != m.negate();
        }
        Condition.FileTest f = (Condition.FileTest) condition;
        boolean r;
        try {
            Path p = Path.of(ev.evaluate(f.path()));
            r = switch (f.kind()) {
                case 'f' -> Files.isRegularFile(p);
                case 'd' -> Files.isDirectory(p);
                case 'e' -> Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.exists(p);
                default -> Files.isExecutable(p) && Files.isRegularFile(p);
            };
        } catch (InvalidPathException e) {
            r = false;
        }
        return r != f.negate();
    }
}
