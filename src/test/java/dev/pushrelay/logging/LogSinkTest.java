package dev.pushrelay.logging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSinkTest {

    static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void lines_are_appended_in_order_and_flushed_on_close() throws IOException {
        Path dir = Files.createTempDirectory("logsink");
        Path file = dir.resolve("a.log");
        Files.writeString(file, "old\n");
        LogSink sink = new LogSink(100);
        sink.open(file);
        sink.start();
        for (int i = 0; i < 50; i++) sink.write(file, line("line " + i));
        sink.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(51, lines.size());
        assertEquals("old", lines.get(0));
        assertEquals("line 49", lines.get(50));
        assertEquals(0, sink.dropped());
    }

    @Test
    void a_full_queue_drops_and_counts_instead_of_blocking() throws IOException {
        Path file = Files.createTempDirectory("logsink").resolve("a.log");
        LogSink sink = new LogSink(3);
        sink.open(file);
        // not started: nothing drains the queue, as when the disk cannot keep up
        for (int i = 0; i < 10; i++) sink.write(file, line("x" + i));
        assertEquals(7, sink.dropped());
        sink.start();
        sink.close();
        assertEquals(List.of("x0", "x1", "x2"), Files.readAllLines(file));
    }

    @Test
    void an_unwritable_path_fails_to_open() {
        Path missing = Path.of("/nonexistent-dir-for-pushrelay-tests/a.log");
        LogSink sink = new LogSink(3);
        assertThrows(IOException.class, () -> sink.open(missing));
    }

    @Test
    void reopen_after_rotation_writes_to_a_new_file() throws IOException {
        Path dir = Files.createTempDirectory("logsink");
        Path file = dir.resolve("a.log");
        LogSink sink = new LogSink(100);
        sink.open(file);
        sink.start();
        sink.write(file, line("before"));
        awaitContent(file, "before\n");
        Files.move(file, dir.resolve("a.log.1"));
        sink.reopen();
        sink.write(file, line("after"));
        sink.close();
        assertEquals(List.of("before"), Files.readAllLines(dir.resolve("a.log.1")));
        assertEquals(List.of("after"), Files.readAllLines(file));
    }

    @Test
    void error_log_writes_nginx_style_lines_at_or_above_its_level() throws IOException {
        Path file = Files.createTempDirectory("errorlog").resolve("error.log");
        LogSink sink = new LogSink(100);
        sink.open(file);
        sink.start();
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T14:05:09Z"), ZoneOffset.UTC);
        Logger log = Logger.getLogger("dev.pushrelay.test");
        try (ErrorLog errors = ErrorLog.install(List.of(new ErrorLogTarget(file, LogLevel.WARN)), sink, clock, ZoneOffset.UTC)) {
            log.info("not at warn");
            log.warning("disk is slow");
            log.severe("sweep failed");
        }
        log.severe("after close: not in the file");
        sink.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("2026/11/23 14:05:09 \\[warn\\] \\d+#\\d+: disk is slow"), lines.get(0));
        assertTrue(lines.get(1).matches("2026/11/23 14:05:09 \\[error\\] \\d+#\\d+: sweep failed"), lines.get(1));
    }

    private static void awaitContent(Path file, String content) throws IOException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).equals(content)) return;
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        throw new AssertionError("never saw " + content + " in " + file);
    }
}
