package dev.pushrelay.it.clients;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real pushrelay for the real clients: its own process (the real Main on this test's
 * classpath) with the real clock, so the clients see real Last-Modified times as in
 * production, on an ephemeral loopback port.
 */
final class Relay implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    private static final Pattern SUBSCRIBERS = Pattern.compile("\"subscribers\": (\\d+)");
    private static final Pattern MESSAGES = Pattern.compile("\"messages\": (\\d+)");

    private final Process process;
    private final int port;

    private Relay(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** A server whose configuration file (under target/clients-it/) holds {@code conf}. */
    static Relay start(String conf) {
        try {
            Files.createDirectories(ClientProcess.OUT);
            Path file = Files.createTempFile(ClientProcess.OUT, "relay", ".conf");
            Files.writeString(file, conf);
            return startFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The deployment of conf/pushrelay.conf (seed article 002). */
    static Relay startDefault() {
        return startFile(ClientProcess.ROOT.resolve("conf/pushrelay.conf"));
    }

    /**
     * The seed deployment as module 0.691+ ran it: without its 0.68-era
     * {@code push_min_message_recipients 0;}, which keeps only the newest message
     * (protocol.md §5.5), so tests can walk a buffer of ten.
     */
    static Relay startTenDeep() {
        try {
            String conf = Files.readString(ClientProcess.ROOT.resolve("conf/pushrelay.conf"))
                    .replaceAll("(?m)^\\s*push_min_message_recipients.*$", "");
            return start(conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server on the configuration file itself: its relative paths resolve against its directory. */
    static Relay startFile(Path conf) {
        try {
            Files.createDirectories(ClientProcess.OUT);
            Path stderr = Files.createTempFile(ClientProcess.OUT, "relay", ".err");
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.pushrelay.Main",
                    "-c", conf.toAbsolutePath().toString(), "--listen", "127.0.0.1:0");
            Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) { /* keep the pipe empty */ }
                        } catch (IOException ignored) {
                            // the process ended
                        }
                    }, "relay-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return new Relay(p, Integer.parseInt(m.group(2)));
                }
            }
            p.destroyForcibly();
            throw new IOException("pushrelay did not start: " + Files.readString(stderr));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    /**
     * Polls the channel info at {@code publisherTarget} until exactly {@code n} long-polls wait
     * (protocol.md §3.4): the clients are then parked and a publish reaches them, no sleeping.
     */
    void awaitSubscribers(String publisherTarget, int n) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            RawResponse r = send(RawHttp.get(publisherTarget, "Accept: text/json"));
            last = r.toString();
            if (r.status() == 200) {
                Matcher m = SUBSCRIBERS.matcher(r.text());
                if (m.find() && Integer.parseInt(m.group(1)) == n) return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("never saw " + n + " subscribers on " + publisherTarget + "; last: " + last);
    }

    /**
     * Every message stored on {@code channel}, oldest first, walked with the cursor
     * (protocol.md §4.2) through /activity; the count comes from the channel info at /publish.
     * What the server holds: the truth the clients' output is compared with.
     */
    List<String> messages(String channel) throws IOException {
        RawResponse info = send(RawHttp.get("/publish?id=" + channel, "Accept: text/json"));
        Matcher m = MESSAGES.matcher(info.text());
        if (info.status() != 200 || !m.find()) throw new AssertionError("no channel " + channel + ": " + info);
        int count = Integer.parseInt(m.group(1));
        List<String> bodies = new java.util.ArrayList<>();
        String target = "/activity?id=" + channel;
        try (RawHttp c = new RawHttp(port)) {
            String request = RawHttp.get(target);
            while (bodies.size() < count) {
                c.send(request);
                RawResponse r = c.read();
                if (r.status() != 200) throw new AssertionError("walking " + channel + " after " + bodies + ": " + r);
                bodies.add(r.text());
                request = RawHttp.get(target, "If-Modified-Since: " + r.header("Last-Modified"),
                        "If-None-Match: " + r.header("Etag"));
            }
        }
        return bodies;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
