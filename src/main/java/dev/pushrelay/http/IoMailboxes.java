package dev.pushrelay.http;

import org.xnio.XnioIoThread;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks on a given IO thread, batched: a publish that wakes 10,000 long-polls owned by
 * another IO thread enqueues 10,000 writes but posts one task to that thread, which then
 * writes them all (protocol.md §4.3). A task per subscriber would make every delivery pay
 * XNIO's task-queue lock and a selector wake-up.
 */
final class IoMailboxes {

    /**
     * One per IO thread, found by identity: every delivery asks, and hashing the thread as a
     * map key cost more than scanning these few (BENCHMARKS.md, `redisnode`). Copied on the
     * rare add; bounded by the IO thread count.
     */
    private volatile Mailbox[] mailboxes = new Mailbox[0];

    /**
     * Runs {@code task} on {@code io}: at once when already there and nothing posted earlier
     * waits, else in the next batch. Tasks for one IO thread run in the order they were given:
     * a stream's deliveries must not overtake each other (§14.3), and a publish taken on the
     * stream's own thread can come while the one before, taken on another, is still posted.
     */
    void run(XnioIoThread io, Runnable task) {
        if (mayRunNow(io)) {
            task.run();
            return;
        }
        of(io).post(task);
    }

    /**
     * The mailbox of {@code io}, for a caller bound to that thread for its whole life (a
     * stream): it keeps this instead of the thread, and each delivery then asks the mailbox
     * itself, with no map lookup.
     */
    Mailbox of(XnioIoThread io) {
        Mailbox m = find(io);
        return m != null ? m : add(io);
    }

    private Mailbox find(XnioIoThread io) {
        for (Mailbox m : mailboxes) {
            if (m.io == io) return m;
        }
        return null;
    }

    private synchronized Mailbox add(XnioIoThread io) {
        Mailbox m = find(io);
        if (m != null) return m;
        Mailbox[] all = Arrays.copyOf(mailboxes, mailboxes.length + 1);
        all[all.length - 1] = m = new Mailbox(io);
        mailboxes = all;
        return m;
    }

    /**
     * Whether a task for {@code io} may run at once, in {@link #run}'s order: on that thread,
     * nothing posted earlier waiting. A caller that then runs its work itself needs no task
     * object (one per delivery to each stream).
     */
    boolean mayRunNow(XnioIoThread io) {
        if (Thread.currentThread() != io) return false;
        Mailbox m = find(io);
        return m == null || m.tasks.isEmpty();
    }

    /** One IO thread's batch of tasks; {@link #run(Runnable)} and {@link #mayRunNow()} as {@link IoMailboxes}'. */
    static final class Mailbox implements Runnable {
        private final XnioIoThread io;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** The view {@link #view} handed out last, and the shared buffer it shows; this IO thread only. */
        private ByteBuffer view;
        private ByteBuffer viewOf;

        Mailbox(XnioIoThread io) {
            this.io = io;
        }

        /**
         * A view of {@code shared} (a buffer built once per message for every stream, never
         * moved, protocol.md §14.3) for one write on this IO thread. The view of the last call
         * is handed out again when it shows the same buffer and was written whole: a fan-out
         * writes one message to stream after stream, so it makes one view per message instead
         * of a {@code duplicate()} per delivery. A view not written whole is queued by its
         * stream, and still has bytes left while it is: that one is never handed out again.
         * Off this IO thread (not expected: streams write on theirs) each call gets its own.
         */
        ByteBuffer view(ByteBuffer shared) {
            if (Thread.currentThread() != io) return shared.duplicate();
            ByteBuffer v = view;
            if (v == null || viewOf != shared || v.hasRemaining()) {
                view = v = shared.duplicate();
                viewOf = shared;
                return v;
            }
            return v.limit(shared.limit()).position(shared.position());
        }

        XnioIoThread io() {
            return io;
        }

        /** {@link IoMailboxes#mayRunNow} for this thread. */
        boolean mayRunNow() {
            return Thread.currentThread() == io && tasks.isEmpty();
        }

        /** {@link IoMailboxes#run} on this thread. */
        void run(Runnable task) {
            if (mayRunNow()) {
                task.run();
            } else {
                post(task);
            }
        }

        void post(Runnable task) {
            tasks.add(task);
            if (scheduled.compareAndSet(false, true)) io.execute(this);
        }

        @Override
        public void run() {
            // Cleared before draining: a task added during the drain either is taken by
            // this loop or schedules a new run; none is left behind.
            scheduled.set(false);
            for (Runnable t = tasks.poll(); t != null; t = tasks.poll()) {
                try {
                    t.run();
                } catch (RuntimeException e) {
                    // One subscriber's failure must not stop the others' deliveries.
                    java.util.logging.Logger.getLogger(IoMailboxes.class.getName())
                            .log(java.util.logging.Level.WARNING, "delivery task failed", e);
                }
            }
        }
    }
}
