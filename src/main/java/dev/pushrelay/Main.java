package dev.pushrelay;

import dev.pushrelay.config.ConfException;
import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.Settings;
import dev.pushrelay.server.ListenOverride;
import dev.pushrelay.server.PushServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Library loggers kept quiet below WARNING; held here because JUL keeps loggers weakly. */
    private final List<Logger> quieted = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        for (String name : new String[] {"org.xnio", "org.jboss", "io.undertow"}) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            quieted.add(l);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings settings;
        try {
            settings = ConfLoader.load(config);
            if (listen != null) settings = ListenOverride.apply(settings, ListenOverride.parse(listen));
        } catch (ConfException | IllegalArgumentException e) {
            err.println("pushrelay: [emerg] " + e.getMessage());
            if (testOnly) err.println("pushrelay: configuration file " + config + " test failed");
            err.flush();
            return CONFIG_ERROR;
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
        PushServer server;
        try {
            server = PushServer.start(settings, Clock.systemUTC());
        } catch (RuntimeException e) {
            err.println("pushrelay: [emerg] cannot start: " + e.getMessage());
            err.flush();
            return START_ERROR;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pushrelay-shutdown"));
        for (InetSocketAddress a : server.addresses()) {
            out.println("pushrelay: listening on " + a.getAddress().getHostAddress() + ":" + a.getPort());
        }
        out.flush();
        err.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
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
