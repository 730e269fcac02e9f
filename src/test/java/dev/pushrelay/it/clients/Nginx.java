package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.Ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

/**
 * Debian's nginx run in the foreground as the test's child, on a loopback port, with a
 * configuration the test writes into a temporary prefix; ended by its pid. The one place
 * that finds the nginx binary.
 */
final class Nginx implements AutoCloseable {

    private final ClientProcess process;
    private final Path prefix;
    private final int port;

    private Nginx(ClientProcess process, Path prefix, int port) {
        this.process = process;
        this.prefix = prefix;
        this.port = port;
    }

    /** The nginx binary ({@link ExternalPrograms#nginx()}: the test is skipped when it is missing). */
    static String binary() {
        return ExternalPrograms.nginx().toString();
    }

    /**
     * Starts nginx with {@code conf}, in which {@code PORT} is replaced by a free port and
     * {@code PREFIX} by the temporary prefix directory; returns once it accepts connections.
     */
    static Nginx start(String name, String conf) {
        String binary = binary();
        try {
            int port = Ports.free();
            Path prefix = Files.createTempDirectory("pushrelay-nginx");
            Files.createDirectories(prefix.resolve("logs"));
            Files.createDirectories(prefix.resolve("tmp"));
            Path file = prefix.resolve("nginx.conf");
            Files.writeString(file, conf.replace("PORT", Integer.toString(port)).replace("PREFIX", prefix.toString()));
            ClientProcess p = ClientProcess.start(name, binary, "-c", file.toString(), "-p", prefix + "/", "-e", "stderr",
                    "-g", "daemon off;");
            Nginx nginx = new Nginx(p, prefix, port);
            nginx.awaitListening();
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    ClientProcess process() {
        return process;
    }

    private void awaitListening() {
        try {
            Ports.awaitListening(port, Duration.ofSeconds(20), process::isAlive, process::describe);
        } catch (AssertionError e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        process.close();
        try (var files = Files.walk(prefix)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
