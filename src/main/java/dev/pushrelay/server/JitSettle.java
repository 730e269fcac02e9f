package dev.pushrelay.server;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Whether the JIT has finished compiling what the warm-up's traffic made hot (README
 * "Performance: the JVM"). After 30,000 warm-up requests the optimizing compiler was still
 * far behind: the lean path's publish was at the first tiers, and compiling it and the rest
 * took most of a fresh server's CPU during its first 200 deliveries, on the same cores as
 * the IO thread (BENCHMARKS.md, "Cold 1×1"). So the warm-up goes on until its traffic makes
 * nothing more to compile, and waits for the last compilations before the listeners are bound.
 *
 * <p>The JVM says how much time its compilers have spent in total, once a compilation ends,
 * not what they are doing: one large method can take a second on a busy machine. On Linux
 * the compiler threads' CPU time is also looked at (/proc/self/task). Settled means that in
 * the last {@link #QUIET} the compilers were busy for at most a twentieth of it, by both.
 * Not "nothing at all": reading /proc makes this class's own code (and the JDK's file code
 * under it) hot, and its small compilations went on for up to the whole wait, each one
 * restarting a wait for perfect silence (BENCHMARKS.md, "Start-up").
 */
final class JitSettle {

    /** The window over which the compilers must be nearly idle. */
    static final Duration QUIET = Duration.ofMillis(100);
    /** Compile time allowed in a quiet window: a few small first-tier compilations, no optimizing one. */
    private static final long SLACK_MILLIS = QUIET.toMillis() / 20;
    /** Compiler threads' CPU allowed in a quiet window, in clock ticks (10 ms each on Linux). */
    private static final long SLACK_TICKS = 1;
    private static final long POLL_MILLIS = 10;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final CompilationMXBean jit;
    private long windowStart;
    private long windowTotal;
    /** The compiler threads' ticks at the last look. */
    private long lastTicks;

    JitSettle() {
        CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        jit = bean != null && bean.isCompilationTimeMonitoringSupported() ? bean : null;
        windowTotal = jit == null ? 0 : jit.getTotalCompilationTime();
        windowStart = System.nanoTime();
        lastTicks = compilerTicks();
    }

    /** Whether the compilers were nearly idle for the last {@link #QUIET} (always, when the JVM cannot tell). */
    boolean quiet() {
        long total = jit == null ? 0 : jit.getTotalCompilationTime();
        long now = System.nanoTime();
        if (total - windowTotal > SLACK_MILLIS) {
            windowTotal = total;
            windowStart = now;
            return false;
        }
        if (now - windowStart < QUIET.toNanos()) return false;
        // the threads only when the total says quiet: reading /proc costs CPU the warm-up needs
        long ticks = compilerTicks();
        boolean idle = ticks - lastTicks <= SLACK_TICKS;
        lastTicks = ticks;
        if (idle) return true;
        windowTotal = total;
        windowStart = now;
        return false;
    }

    /** The CPU ticks the JIT compiler threads have used; 0 where /proc cannot tell. */
    private static long compilerTicks() {
        if (!Files.isDirectory(TASKS)) return 0;
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.ISO_8859_1);
                } catch (IOException gone) {
                    continue; // a thread that ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) continue;
                String name = stat.substring(open + 1, close);
                if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) continue;
                // after the name: state, then 10 fields, then utime and stime (proc(5))
                String[] f = stat.substring(close + 2).split(" ");
                if (f.length < 13) continue;
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return ticks;
    }

    /** Waits a poll interval. @return false if interrupted */
    static boolean pause() {
        try {
            Thread.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until the compilers are quiet, or {@code limit} has passed.
     *
     * @return how long it waited
     */
    static Duration await(Duration limit) {
        long start = System.nanoTime();
        JitSettle jit = new JitSettle();
        while (System.nanoTime() - start < limit.toNanos() && !jit.quiet() && pause()) {
            // polling: the JVM has no notification for an empty compile queue
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
