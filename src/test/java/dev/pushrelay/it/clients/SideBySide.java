package dev.pushrelay.it.clients;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.server.ListenFlag;
import dev.pushrelay.server.PushServer;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.Function;

/**
 * Debian's nginx and an in-process pushrelay serving the same server block from one
 * directory (its {@code logs/} holds nginx's pid file), for tests that compare their answers.
 * Closing ends both and deletes the directory.
 */
final class SideBySide implements AutoCloseable {

    private final Path dir;
    private final ClientProcess nginx;
    private final int nginxPort;
    private final PushServer pushrelay;

    private SideBySide(Path dir, ClientProcess nginx, int nginxPort, PushServer pushrelay) {
        this.dir = dir;
        this.nginx = nginx;
        this.nginxPort = nginxPort;
        this.pushrelay = pushrelay;
    }

    /**
     * @param httpLines the http-level lines of each configuration, given "nginx" or "pushrelay"
     *        (e.g. an error_log of its own)
     */
    static SideBySide start(String name, Path dir, String server, Function<String, String> httpLines) throws Exception {
        int nginxPort = Ports.free();
        Files.createDirectories(dir.resolve("logs"));
        Path nginxConf = Files.writeString(dir.resolve("nginx.conf"), "pid " + dir + "/logs/nginx.pid;\nevents {}\n"
                + "http {\n access_log off;\n" + httpLines.apply("nginx") + " server {\n listen 127.0.0.1:" + nginxPort
                + ";\n" + server + " }\n}\n");
        ClientProcess nginx = ClientProcess.start(name, Nginx.binary(), "-c", nginxConf.toString(), "-p", dir + "/",
                "-e", "stderr", "-g", "daemon off;");
        try {
            Ports.awaitListening(nginxPort, Duration.ofSeconds(20), nginx::isAlive, nginx::describe);
            Path ours = Files.writeString(dir.resolve("pushrelay.conf"), "events {}\nhttp {\n"
                    + httpLines.apply("pushrelay") + " server {\n listen 127.0.0.1:1;\n" + server + " }\n}\n");
            PushServer pushrelay = PushServer.start(
                    ListenFlag.apply(ConfLoader.load(ours), new ListenAddress("127.0.0.1", 0, false)),
                    new MutableClock(Instant.ofEpochSecond(1_790_000_000L)));
            return new SideBySide(dir, nginx, nginxPort, pushrelay);
        } catch (Exception | Error e) {
            nginx.close();
            throw e;
        }
    }

    int nginxPort() {
        return nginxPort;
    }

    int pushrelayPort() {
        return pushrelay.port();
    }

    @Override
    public void close() throws IOException {
        nginx.close();
        pushrelay.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
