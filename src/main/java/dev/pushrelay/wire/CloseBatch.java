package dev.pushrelay.wire;

import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * One IO thread's departed connections, handed to the worker pool ({@link OffThreadClose})
 * together once per round of its event loop instead of one hand-off each. A hand-off wakes a
 * pool thread (futexes on both sides), and each close from there wakes the selector: about
 * five system calls per connection that nginx does not make (BENCHMARKS.md, issue 13,
 * `syscalls`). Batched, the pool thread is woken once per round and the selector's wake-ups
 * coalesce; the closes stay off the IO thread (protocol.md §9, "Hostile input"). Confined to
 * its IO thread.
 */
public final class CloseBatch {

    private final XnioIoThread io;
    private final Runnable flush = this::flush;
    private List<Closeable> queued = new ArrayList<>();

    /** @param io the IO thread whose connections this closes; used only on that thread */
    public CloseBatch(XnioIoThread io) {
        this.io = io;
    }

    /** Closes {@code connection} off its IO thread once this round of the event loop is done. */
    public void close(StreamConnection connection) {
        if (queued.isEmpty()) {
            try {
                io.execute(flush); // queued behind this round's events: no wake-up on its own thread
            } catch (RejectedExecutionException stopping) {
                IoUtils.safeClose(connection);
                return;
            }
        }
        queued.add(connection);
    }

    private void flush() {
        List<Closeable> batch = queued;
        queued = new ArrayList<>();
        OffThreadClose.closeAll(batch, io.getWorker());
    }
}
