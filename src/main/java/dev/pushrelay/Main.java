package dev.pushrelay;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.Settings;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.logging.LoggerNames;
import dev.pushrelay.server.ListenFlag;
import dev.pushrelay.server.PushServer;
import dev.pushrelay.server.WarmUp;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The command line: a thin shell over {@link ConfLoader} and {@link PushServer}. */
@Command(name = "pushrelay", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A drop-in replacement for the Nginx HTTP Push Module.")
public final class Main implements Callable<Integer> {

    static final int OK = 0;
    static final int CONFIG_ERROR = 1;
    static final int START_ERROR = 2;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config = Path.of("conf/pushrelay.conf");

    @Option(names = {"-t", "--test-config"}, description = "Test the configuration, report and exit (like nginx -t).")
    boolean testOnly;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Serve every server block on this address instead.")
    String listen;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL",
            description = "Send SIGNAL to the running server (found through the pid file of the configuration): "
                    + "stop (graceful; quit is the same), reload, or reopen (the log files, after rotation).")
    String signal;

    @Option(names = "--warm-up", paramLabel = "MILLIS", defaultValue = "2000",
            description = "Before listening, run this long on a scratch server of its own on 127.0.0.1 so the first "
                    + "requests meet compiled code; 0: off (default: ${DEFAULT-VALUE}).")
    long warmUpMillis;

    @Option(names = "--warm-up-only", description = "Run the warm-up and exit, reading no configuration: "
            + "the training run of bin/pushrelay's AOT cache; it stops after --warm-up-requests, "
            + "--warm-up MILLIS being a cap.")
    boolean warmUpOnly;

    @Option(names = "--warm-up-requests", paramLabel = "N", defaultValue = "30000",
            description = "With --warm-up-only: the requests the training run answers (default: ${DEFAULT-VALUE}).")
    long warmUpRequests;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** "reload" or "stop", from the signal handlers to the main thread. */
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();

    /** Library loggers kept quiet below WARNING; held here because JUL keeps loggers weakly. */
    private final List<Logger> quieted = new ArrayList<>();

    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new Main()).execute(args);
        } catch (Error e) {
            // e.g. a class missing from a broken install: once the IO threads exist they would
            // keep a process that never started listening alive; exit as a failed start does
            e.printStackTrace();
            code = START_ERROR;
        }
        System.exit(code);
    }

    @Override
    public Integer call() {
        for (String name : LoggerNames.LIBRARIES) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            quieted.add(l);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (warmUpOnly) {
            report(err, List.of(WarmUp.train(warmUpRequests, Duration.ofMillis(warmUpMillis), Clock.systemUTC()).note()));
            return OK;
        }
        if (signal != null && !List.of("stop", "quit", "reload", "reopen").contains(signal)) {
            err.println("pushrelay: invalid option: \"-s " + signal + "\" (expected stop, quit, reload or reopen)");
            err.flush();
            return CONFIG_ERROR;
        }
        Settings settings;
        try {
            settings = load();
        } catch (ConfException | IllegalArgumentException e) {
            err.println("pushrelay: [emerg] " + e.getMessage());
            if (testOnly) err.println("pushrelay: configuration file " + config + " test failed");
            err.flush();
            return CONFIG_ERROR;
        }
        if (signal != null) {
            return sendSignal(settings, err);
        }
        String heapProblem = HeapCheck.problem(settings.maxReservedMemory(), Runtime.getRuntime().maxMemory());
        if (heapProblem != null) {
            err.println("pushrelay: [emerg] " + heapProblem);
            if (testOnly) err.println("pushrelay: configuration file " + config + " test failed");
            err.flush();
            return CONFIG_ERROR;
        }
        for (String ignored : settings.ignored()) {
            err.println("pushrelay: [notice] ignored (no effect on push behaviour): " + ignored);
        }
        if (testOnly) {
            out.println("pushrelay: the configuration file " + config + " syntax is ok");
            out.println("pushrelay: configuration file " + config + " test is successful");
            out.flush();
            err.flush();
            return OK;
        }
        if (warmUpMillis > 0) {
            report(err, List.of(WarmUp.run(Duration.ofMillis(warmUpMillis), Clock.systemUTC()).note()));
        }
        PushServer server;
        try {
            server = PushServer.start(settings, Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("pushrelay: [emerg] cannot start: " + e.getMessage());
            err.flush();
            return START_ERROR;
        }
        report(err, server.startNotes());
        long pid = ProcessHandle.current().pid();
        pidFile = settings.process().pidFile();
        report(err, nullToEmpty(PidFile.write(pidFile, pid)));
        report(err, Signals.install(commands::offer));
        // Safety net for exits we do not see coming (signals we could not take over):
        // the same graceful stop; a no-op once the main thread has stopped the server.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            report(err, server.stop());
            PidFile.removeIfOurs(pidFile, pid);
        }, "pushrelay-shutdown"));
        for (InetSocketAddress a : server.addresses()) {
            out.println("pushrelay: listening on " + a.getAddress().getHostAddress() + ":" + a.getPort());
        }
        out.flush();
        err.flush();
        try {
            for (String cmd = commands.take(); !cmd.equals("stop"); cmd = commands.take()) {
                if (cmd.equals("reload")) {
                    reload(server, err, pid);
                } else { // "reopen": nginx's USR1, after the log files were rotated
                    server.reopenLogs();
                    report(err, List.of("[notice] log files reopened"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        report(err, List.of("[notice] stopping"));
        report(err, server.stop());
        PidFile.removeIfOurs(pidFile, pid);
        report(err, List.of("[notice] exiting"));
        return OK;
    }

    /** The pid file in effect (a reload may move it). */
    private volatile Path pidFile;

    private Settings load() throws ConfException {
        Settings s = ConfLoader.load(config);
        return listen != null ? ListenFlag.apply(s, ListenFlag.parse(listen)) : s;
    }

    /** SIGHUP: a new configuration, or the old one kept and the reason reported (README "Operating pushrelay"). */
    private void reload(PushServer server, PrintWriter err, long pid) {
        report(err, List.of("[notice] reloading configuration " + config));
        Settings next;
        List<String> notes;
        try {
            next = load();
            notes = server.reload(next);
        } catch (ConfException | IOException | RuntimeException e) {
            report(err, List.of("[emerg] " + e.getMessage(),
                    "[error] reload failed; still running the previous configuration"));
            return;
        }
        Path newPid = next.process().pidFile();
        if (!newPid.equals(pidFile)) {
            String w = PidFile.write(newPid, pid);
            if (w == null) {
                PidFile.removeIfOurs(pidFile, pid);
                pidFile = newPid;
            }
            report(err, nullToEmpty(w));
        }
        report(err, notes);
        report(err, List.of("[notice] configuration reloaded"));
    }

    /** -s stop|quit|reload|reopen: signals the process named in the pid file, like nginx -s. */
    private int sendSignal(Settings settings, PrintWriter err) {
        try {
            long pid = PidFile.read(settings.process().pidFile());
            Signals.send(pid, switch (signal) {
                case "reload" -> "HUP";
                case "reopen" -> "USR1";
                default -> "TERM";
            });
            return OK;
        } catch (IllegalStateException e) {
            err.println("pushrelay: [error] " + e.getMessage());
            err.flush();
            return CONFIG_ERROR;
        }
    }

    private static void report(PrintWriter err, List<String> lines) {
        for (String l : lines) err.println("pushrelay: " + l);
        err.flush();
    }

    private static List<String> nullToEmpty(String line) {
        return line == null ? List.of() : List.of(line);
    }

    /** The version from the jar manifest (set by Maven), or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pushrelay " + (v == null ? "dev" : v)};
        }
    }
}
