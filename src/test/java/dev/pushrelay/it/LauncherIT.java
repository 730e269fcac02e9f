package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/pushrelay as users start it (README "Performance: the JVM"): it says which JVM and flags
 * it runs, and the server warms up on a scratch server of its own before it listens.
 */
class LauncherIT {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void launcher_names_its_jvm_and_flags_and_the_server_warms_up_before_it_listens(@TempDir Path dir) throws Exception {
        Path conf = publisherConf(dir, "/pub");
        Path stderr = dir.resolve("stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = launch(List.of("bin/pushrelay"), conf, stderr, "500");
        try {
            int port = listeningPort(p);
            String err = Files.readString(stderr);
            assertTrue(port > 0, err);
            List<String> lines = err.lines().toList();
            int major = Runtime.version().feature();
            assertTrue(lines.get(0).startsWith("pushrelay: JVM " + java + " (Java " + major + "), flags "
                    + (major >= 21 ? "-XX:+UseZGC" : "-XX:+UseParallelGC")), lines.get(0));
            assertTrue(lines.get(0).endsWith("(Java " + major + ": " + (major >= 21 ? "generational ZGC" : "parallel collector")
                    + ")"), lines.get(0));
            // reported before the listening line was printed, so the warm-up came first
            assertTrue(lines.stream().anyMatch(l -> l.matches("pushrelay: \\[notice] warm-up: \\d+ requests in \\d+ ms .*")),
                    err);
            assertEquals(202, RawHttp.exchange(port, RawHttp.post("/pub?id=a", "hello")).status());
            assertEquals(200, RawHttp.exchange(port, RawHttp.get("/pub?id=a")).status(), "one channel: the real one");
        } finally {
            p.destroy(); // SIGTERM: the graceful stop
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /**
     * nginx reloads on HUP whatever its parent left HUP at; so does bin/pushrelay started
     * under nohup (which ignores HUP, and a JVM never takes over an ignored signal).
     */
    @Test
    void launched_under_nohup_it_still_reloads_on_hup(@TempDir Path dir) throws Exception {
        Path conf = publisherConf(dir, "/pub");
        Path stderr = dir.resolve("stderr.log");
        Process p = launch(List.of("nohup", "bin/pushrelay"), conf, stderr, "0");
        try {
            int port = listeningPort(p);
            assertTrue(port > 0, Files.readString(stderr));
            assertFalse(Files.readString(stderr).contains("stays ignored"), Files.readString(stderr));
            Files.writeString(conf, "location /pub2 { set $push_channel_id $arg_id; push_publisher; }\n");
            Process kill = new ProcessBuilder("kill", "-s", "HUP", Long.toString(p.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(ServerProcess.appears(stderr, "[notice] configuration reloaded", 1), Files.readString(stderr));
            assertEquals(202, RawHttp.exchange(port, RawHttp.post("/pub2?id=a", "hello")).status(), "the new location");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /**
     * A configuration of one publisher location, for a launch of bin/pushrelay; skips the test
     * when target/pushrelay.jar is missing or stale, as bin/pushrelay would rebuild it with
     * Maven first, which a test must not do.
     */
    private static Path publisherConf(Path dir, String location) throws IOException {
        Path jar = Path.of("target/pushrelay.jar");
        assumeTrue(Files.exists(jar) && !newerThan(Path.of("src/main"), jar), "target/pushrelay.jar is missing or stale");
        Path conf = dir.resolve("pushrelay.conf");
        Files.writeString(conf, "location " + location + " { set $push_channel_id $arg_id; push_publisher; }\n");
        return conf;
    }

    /** bin/pushrelay (after {@code command}'s own words) on this test's JVM, its default flags, no AOT cache. */
    private static Process launch(List<String> command, Path conf, Path stderr, String warmUp) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(command);
        cmd.addAll(List.of("-c", conf.toString(), "--listen", "127.0.0.1:0", "--warm-up", warmUp));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
        pb.environment().put("PUSHRELAY_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("PUSHRELAY_AOT", "off");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("PUSHRELAY_JVM_FLAGS");
        return pb.start();
    }

    /** The port of the server's "listening on" line, -1 if its stdout ended without one. */
    private static int listeningPort(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) return Integer.parseInt(m.group(1));
        }
        return -1;
    }

    private static boolean newerThan(Path tree, Path file) throws IOException {
        long t = Files.getLastModifiedTime(file).toMillis();
        try (Stream<Path> all = Files.walk(tree)) {
            return all.anyMatch(f -> {
                try {
                    return Files.getLastModifiedTime(f).toMillis() > t;
                } catch (IOException e) {
                    return true;
                }
            });
        }
    }
}
