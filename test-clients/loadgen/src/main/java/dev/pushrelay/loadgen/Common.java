package dev.pushrelay.loadgen;

import java.io.PrintStream;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Options shared by all scenarios. */
final class Common {
    final Target target;
    final int threads;
    final String label;
    final String prefix;
    final long deadline;
    final PrintStream log;

    Common(Options o, PrintStream log) throws Exception {
        this.target = new Target(o.str("url", "http://127.0.0.1:8080"), o.str("pub-url", null),
                o.str("pub-path", "/publish"), o.str("sub-path", "/activity"), o.str("id-param", "id"));
        this.threads = o.integer("threads", 2, 1, 64);
        this.label = o.str("label", target.hostHeader);
        this.prefix = o.str("channel-prefix",
                "lg" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
        long timeoutSec = o.num("timeout", 600, 1, 86_400);
        this.deadline = System.nanoTime() + timeoutSec * 1_000_000_000L;
        this.log = log;
    }

    String[] channelNames(int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = prefix + "-" + i;
        }
        return names;
    }

    long remainingNanos() {
        return deadline - System.nanoTime();
    }

    /** Bounded wait: polls {@code cond} until true or until {@code until} (nanoTime) / the run deadline. */
    boolean await(BooleanSupplier cond, long until) {
        long end = Math.min(until, deadline);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return cond.getAsBoolean();
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    static long secs(long s) {
        return s * 1_000_000_000L;
    }

    void say(String fmt, Object... args) {
        log.printf("[%s] " + fmt + "%n", prepend(label, args));
        log.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] a = new Object[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }
}
