package dev.pushrelay.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A JVM server's live heap, by class histogram ({@code jcmd PID GC.class_histogram}, which
 * collects first): what its waiting subscribers hold, where RSS cannot tell (a JVM keeps the
 * heap it grew before, so streams may fit in memory already committed). The collection runs
 * in the server, so the CPU it took is counted too, for the caller to leave out of its CPU figures.
 *
 * @param bytes the histogram's total bytes
 * @param objects the histogram's total instances
 * @param userTicks the server's user clock ticks during the probe
 * @param sysTicks its system clock ticks during the probe
 */
record LiveHeap(long bytes, long objects, long userTicks, long sysTicks) {

    /** Takes one; {@code pid} is a JVM's. */
    static LiveHeap of(String pid) throws IOException, InterruptedException {
        long[] before = cpuTicks(pid);
        Process p = new ProcessBuilder(jcmd(pid), pid, "GC.class_histogram").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroy();
            throw new IOException("jcmd " + pid + " GC.class_histogram failed");
        }
        long[] after = cpuTicks(pid);
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("Total")) {
                return new LiveHeap(Long.parseLong(f[2]), Long.parseLong(f[1]), after[0] - before[0], after[1] - before[1]);
            }
        }
        throw new IOException("no Total line in the class histogram of " + pid);
    }

    /** The jcmd of the server's own JDK (its executable's directory), else the one on the PATH. */
    private static String jcmd(String pid) {
        try {
            Path exe = Files.readSymbolicLink(Path.of("/proc", pid, "exe"));
            Path j = exe.resolveSibling("jcmd");
            if (Files.isExecutable(j)) return j.toString();
        } catch (IOException | UnsupportedOperationException e) {
            // fall back to the PATH
        }
        return "jcmd";
    }

    /** utime and stime of /proc/PID/stat, in clock ticks. */
    private static long[] cpuTicks(String pid) throws IOException {
        String s = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // fields 14 and 15, counted from the state (3)
    }
}
