package dev.pushrelay.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of server processes, from /proc/PID/status (VmRSS). */
final class Rss {
    private Rss() {
    }

    /** Sum of VmRSS in bytes over a comma-separated pid list. */
    static long bytes(String pids) throws IOException {
        long total = 0;
        for (String p : pids.split(",")) {
            p = p.trim();
            if (p.isEmpty()) {
                continue;
            }
            total += vmRssKb(Path.of("/proc", p, "status")) * 1024L;
        }
        return total;
    }

    static long vmRssKb(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        throw new IOException("no VmRSS in " + status);
    }
}
