package dev.pushrelay.wire;

import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One IO thread's departed connections, handed to the worker pool ({@link OffThreadClose})
 * together once per round of its event loop instead of one hand-off each. A hand-off wakes a
 * pool thread (futexes on both sides), and each close from there wakes the selector: about
 * five system calls per connection that nginx does not make (BENCHMARKS.md, issue 13,
 * `syscalls`). Batched, the pool thread is woken once per round and the selector's wake-ups
 * coalesce; the closes stay off the IO thread (protocol.md §9, "Hostile input").
 *
 * <p>Each connection's selection key is cancelled here, and the round's keys are dropped from
 * the selector by one non-blocking select before the hand-off (XNIO's own close on the IO
 * thread does that per connection, which made mass departures quadratic; once per round is
 * linear). The JDK then closes each socket at once; a socket still registered would cost a
 * read of SO_LINGER and a shutdown each. Where XNIO's key or selector cannot be reached
 * (another XNIO), the keys stay and the pool closes the sockets as before. Confined to its IO
 * thread.
 */
public final class CloseBatch {

    private static final Logger LOG = Logger.getLogger(CloseBatch.class.getName());

    private final XnioIoThread io;
    private final Runnable flush = this::flush;
    private List<Closeable> queued = new ArrayList<>();
    /** XNIO's internals for the keys (NioSocketStreamConnection's conduit, its key), or null. */
    private final Method conduit;
    private final Method key;
    private final Selector selector;
    private boolean cancelled;

    /** @param io the IO thread whose connections this closes; used only on that thread */
    public CloseBatch(XnioIoThread io) {
        this.io = io;
        Method c = null;
        Method k = null;
        Selector s = null;
        try {
            Field own = io.getClass().getDeclaredField("selector");
            own.setAccessible(true);
            s = (Selector) own.get(io);
            Class<?> connection = Class.forName("org.xnio.nio.NioSocketStreamConnection", false, io.getClass().getClassLoader());
            c = connection.getDeclaredMethod("getConduit");
            c.setAccessible(true);
            k = Class.forName("org.xnio.nio.NioHandle", false, connection.getClassLoader()).getDeclaredMethod("getSelectionKey");
            k.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "sockets closed while registered", e);
            c = null;
            k = null;
            s = null;
        }
        this.conduit = c;
        this.key = k;
        this.selector = s;
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
        SelectionKey k = keyOf(connection);
        if (k != null) {
            k.cancel();
            cancelled = true;
        }
    }

    private SelectionKey keyOf(StreamConnection connection) {
        if (key == null || !conduit.getDeclaringClass().isInstance(connection)) return null;
        try {
            return (SelectionKey) key.invoke(conduit.invoke(connection));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private void flush() {
        if (cancelled) {
            cancelled = false;
            try {
                selector.selectNow(); // drops the cancelled keys; what it finds ready stays selected for this round
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "cancelled keys left to the next select", e);
            }
        }
        List<Closeable> batch = queued;
        queued = new ArrayList<>();
        OffThreadClose.closeAll(batch, io.getWorker());
    }
}
