package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;
import dev.pushrelay.logging.AccessLog;
import dev.pushrelay.logging.ErrorLogTarget;
import dev.pushrelay.logging.LogFormat;
import dev.pushrelay.logging.LogLevel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * access_log, log_format and error_log with nginx's arguments and messages (README
 * "Operating pushrelay"). Relative paths resolve against the main configuration file's
 * directory; {@code stderr} is the process's standard error. Format names are resolved
 * after the whole file is read, so a log_format may follow the access_log that uses it.
 */
final class LogDirectives {

    /** An access_log as written, its format name resolved at merge time. */
    record AccessLogDraft(ConfNode node, Path file, String format) {
    }

    private LogDirectives() {
    }

    /** The registry entries of access_log and log_format (error_log is the loader's: its place decides). */
    static List<DirectiveTable.Spec> entries() {
        return List.of(
                new DirectiveTable.Spec("access_log", DirectiveTable.HSL, 1, DirectiveTable.MANY, false, false, false,
                        (n, c) -> accessLog(n, c, c.load.baseDir)),
                new DirectiveTable.Spec("log_format", DirectiveTable.HTTP, 2, DirectiveTable.MANY, false, false, false,
                        (n, c) -> logFormat(n, c.load.http)));
    }

    /** {@code access_log off | PATH [FORMAT [buffer=SIZE] [flush=TIME]]}. */
    static void accessLog(ConfNode n, LevelDirectives c, Path baseDir) throws ConfException {
        if (n.arg(0).equals("off")) {
            if (n.args().size() > 1) throw n.error("invalid parameter \"" + n.arg(1) + "\"");
            c.accessLogOff = true;
            return;
        }
        String format = n.args().size() > 1 ? n.arg(1) : "combined";
        for (int i = 2; i < n.args().size(); i++) {
            String p = n.arg(i);
            if (p.startsWith("buffer=") || p.startsWith("flush=")) {
                continue; // pushrelay always buffers and flushes from its writer thread
            }
            if (p.startsWith("gzip") || p.startsWith("if=")) {
                throw n.error("parameter \"" + p + "\" is not supported by pushrelay");
            }
            throw n.error("invalid parameter \"" + p + "\"");
        }
        if (c.accessLogs == null) c.accessLogs = new ArrayList<>();
        c.accessLogs.add(new AccessLogDraft(n, path(n, n.arg(0), baseDir), format));
    }

    /** {@code log_format NAME [escape=default|json|none] STRING ...} (http level). */
    static void logFormat(ConfNode n, LevelDirectives http) throws ConfException {
        String name = n.arg(0);
        if (name.equals("combined") || http.logFormats.containsKey(name)) {
            throw n.error("duplicate \"log_format\" name \"" + name + "\"");
        }
        int first = 1;
        LogFormat.Escape escape = LogFormat.Escape.DEFAULT;
        if (n.arg(1).startsWith("escape=")) {
            switch (n.arg(1).substring(7)) {
                case "default" -> escape = LogFormat.Escape.DEFAULT;
                case "json" -> escape = LogFormat.Escape.JSON;
                case "none" -> escape = LogFormat.Escape.NONE;
                default -> throw n.error("unknown log format escaping \"" + n.arg(1).substring(7) + "\"");
            }
            first = 2;
        }
        if (first >= n.args().size()) throw n.error("invalid number of arguments in \"log_format\" directive");
        String text = String.join("", n.args().subList(first, n.args().size()));
        try {
            http.logFormats.put(name, LogFormat.compile(name, text, escape));
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    /** {@code error_log PATH [LEVEL]}; nginx's default level is error. */
    static ErrorLogTarget errorLog(ConfNode n, Path baseDir) throws ConfException {
        LogLevel level = LogLevel.ERROR;
        if (n.args().size() > 1) {
            level = LogLevel.parse(n.arg(1));
            if (level == null) throw n.error("invalid log level \"" + n.arg(1) + "\"");
        }
        return new ErrorLogTarget(path(n, n.arg(0), baseDir), level);
    }

    /** The access logs in effect at the innermost level of {@code chain} that sets any. */
    static List<AccessLog> merge(List<LevelDirectives> chain) throws ConfException {
        Map<String, LogFormat> formats = chain.get(0).logFormats;
        for (int i = chain.size() - 1; i >= 0; i--) {
            LevelDirectives c = chain.get(i);
            if (c.accessLogOff) return List.of();
            if (c.accessLogs == null) continue;
            List<AccessLog> out = new ArrayList<>();
            for (AccessLogDraft d : c.accessLogs) {
                LogFormat f = d.format().equals("combined") ? LogFormat.COMBINED : formats.get(d.format());
                if (f == null) throw d.node().error("unknown log format \"" + d.format() + "\"");
                out.add(new AccessLog(d.file(), f));
            }
            return out;
        }
        return List.of();
    }

    private static Path path(ConfNode n, String value, Path baseDir) throws ConfException {
        if (value.equals("stderr")) return null;
        if (value.startsWith("syslog:") || value.startsWith("memory:")) {
            throw n.error("\"" + value + "\" is not supported by pushrelay; give a file or stderr");
        }
        return baseDir.resolve(value).normalize();
    }
}
