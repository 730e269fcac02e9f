package dev.pushrelay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pushrelay started as its own process (the real Main, on this test's classpath), for tests
 * that need the server's file descriptors apart from the client's, or its pid.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

    private final Process process;
    private final int port;
    private final Path dir;

    private ServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Starts the server on an ephemeral loopback port with {@code conf} as its configuration. */
    public static ServerProcess start(String conf, String... jvmArgs) throws IOException {
        Path dir = Files.createTempDirectory("pushrelay-proc");
        Path file = dir.resolve("pushrelay.conf");
        Files.writeString(file, conf);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.pushrelay.Main",
                "-c", file.toString(), "--listen", "127.0.0.1:0"));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) { /* keep the pipe empty */ }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                }, "server-stdout");
                drain.setDaemon(true);
                drain.start();
                return new ServerProcess(p, Integer.parseInt(m.group(2)), dir);
            }
        }
        p.destroyForcibly();
        throw new IOException("server did not start: " + Files.readString(dir.resolve("stderr.log")));
    }

    public int port() {
        return port;
    }

    /** The directory holding the configuration and the server's stderr.log. */
    public Path dir() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
