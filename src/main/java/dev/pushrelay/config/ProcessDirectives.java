package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.nio.file.Path;
import java.util.Set;

/**
 * The process-level directives {@code pid}, {@code pushrelay_state_path},
 * {@code pushrelay_shutdown_window} and {@code worker_processes} (IO threads): main context in a full nginx.conf, or the top level of
 * a file without one (a list of servers or bare locations), since such a file has no other
 * place for them.
 */
final class ProcessDirectives {

    static final Set<String> NAMES = Set.of("pid", "pushrelay_state_path", "pushrelay_shutdown_window",
            "worker_processes");

    private final Path base;
    private Path pidFile;
    private Path statePath;
    private Long windowMillis;
    private Integer ioThreads;

    ProcessDirectives(Path confFile) {
        this.base = ProcessSettings.baseDir(confFile);
    }

    void apply(ConfNode n) throws ConfException {
        switch (n.name()) {
            case "pid" -> {
                if (pidFile != null) throw Directives.duplicate(n);
                pidFile = path(n);
            }
            case "pushrelay_state_path" -> {
                if (statePath != null) throw Directives.duplicate(n);
                statePath = path(n);
            }
            case "pushrelay_shutdown_window" -> {
                if (windowMillis != null) throw Directives.duplicate(n);
                long ms = millis(n.arg(0));
                if (ms < 0) throw n.error("invalid value \"" + n.arg(0) + "\"");
                windowMillis = ms;
            }
            case "worker_processes" -> {
                if (ioThreads != null) throw Directives.duplicate(n);
                String v = n.arg(0);
                long count = v.equals("auto") ? 0 : ValueSyntax.number(v);
                if (count < 0 || (count == 0 && !v.equals("auto")) || count > 1024) {
                    throw n.error("invalid value \"" + v + "\"");
                }
                ioThreads = (int) count;
            }
            default -> throw new IllegalArgumentException(n.name());
        }
    }

    ProcessSettings build(Path confFile) {
        ProcessSettings d = ProcessSettings.defaults(confFile);
        return new ProcessSettings(pidFile != null ? pidFile : d.pidFile(), statePath,
                windowMillis != null ? windowMillis : d.shutdownWindowMillis(), ioThreads != null ? ioThreads : 0);
    }

    private Path path(ConfNode n) throws ConfException {
        String v = n.arg(0);
        if (v.isEmpty()) throw n.error("empty path");
        try {
            return base.resolve(v).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw n.error("invalid path \"" + v + "\"");
        }
    }

    /** nginx's msec time ({@code ngx_parse_time(is_sec=0)}) in its common forms: "500ms", or any seconds value. -1 if invalid. */
    static long millis(String s) {
        if (s.endsWith("ms")) {
            long n = ValueSyntax.number(s.substring(0, s.length() - 2));
            return n;
        }
        long sec = ValueSyntax.seconds(s);
        if (sec < 0 || sec > Long.MAX_VALUE / 1000) return -1;
        return sec * 1000;
    }
}
