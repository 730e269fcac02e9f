package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code error_page} and {@code try_files} (protocol.md §8.11), parsed with the checks and
 * messages of nginx's ngx_http_core_error_page and ngx_http_core_try_files.
 */
final class PageDirectives {

    private PageDirectives() {
    }

    /** {@code error_page CODE... [=[RESPONSE]] URI}: every line of a level adds its codes; a later line wins for a code. */
    static void errorPage(ConfNode n, LevelDirectives c) throws ConfException {
        List<String> a = n.args();
        String target = a.get(a.size() - 1);
        int codes = a.size() - 1;
        int override = -1;
        String eq = a.get(a.size() - 2);
        if (eq.startsWith("=")) {
            codes--;
            if (eq.length() > 1) {
                long v = ValueSyntax.number(eq.substring(1));
                if (v < 0 || v > 999) {
                    throw n.error("invalid value \"" + eq + "\"");
                }
                override = (int) v;
            } else {
                override = 0;
            }
        }
        if (codes < 1) {
            throw n.error("invalid number of arguments in \"error_page\" directive");
        }
        ErrorPage page = new ErrorPage(target, override, ValueTemplate.compile(target, n));
        if (c.errorPages == null) {
            c.errorPages = new LinkedHashMap<>();
        }
        for (int i = 0; i < codes; i++) {
            long code = ValueSyntax.number(a.get(i));
            if (code < 0) {
                throw n.error("invalid value \"" + a.get(i) + "\"");
            }
            if (code < 300 || code > 599) {
                throw n.error("value \"" + a.get(i) + "\" must be between 300 and 599");
            }
            c.errorPages.put((int) code, page);
        }
    }

    /** {@code try_files FILE... URI|@NAME|=CODE}. */
    static void tryFiles(ConfNode n, LevelDirectives c) throws ConfException {
        if (c.tryFiles != null) {
            throw Directives.duplicate(n);
        }
        List<ValueTemplate> files = new ArrayList<>();
        for (int i = 0; i < n.args().size() - 1; i++) {
            files.add(ValueTemplate.compile(n.arg(i), n));
        }
        String last = n.arg(n.args().size() - 1);
        if (last.startsWith("=")) {
            long code = ValueSyntax.number(last.substring(1));
            if (code < 0 || code > 999) {
                throw n.error("invalid code \"" + last + "\"");
            }
            c.tryFiles = new TryFiles(files, null, (int) code);
        } else {
            c.tryFiles = new TryFiles(files, ValueTemplate.compile(last, n), 0);
        }
    }
}
