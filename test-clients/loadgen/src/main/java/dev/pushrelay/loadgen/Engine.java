package dev.pushrelay.loadgen;

import java.io.IOException;

/** The IO threads of one run. */
final class Engine implements AutoCloseable {
    final Target target;
    final IoLoop[] loops;
    private boolean closed;

    Engine(Target target, int threads) throws IOException {
        this.target = target;
        this.loops = new IoLoop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new IoLoop("loadgen-io-" + i);
            loops[i].start();
        }
    }

    IoLoop loop(int i) {
        return loops[Math.floorMod(i, loops.length)];
    }

    /** Stops all IO threads (resetting their connections) and waits for them (bounded). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (IoLoop l : loops) {
            l.shutdown();
        }
        for (IoLoop l : loops) {
            try {
                l.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Merged statistics; call after {@link #close()}. */
    Stats stats() {
        Stats s = new Stats();
        for (IoLoop l : loops) {
            s.merge(l.stats);
        }
        return s;
    }
}
