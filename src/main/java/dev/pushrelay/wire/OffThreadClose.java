package dev.pushrelay.wire;

import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;

import java.io.Closeable;
import java.util.List;

/**
 * Closes the socket of a client that left, from the worker pool instead of its IO thread.
 * XNIO's close on the IO thread cancels the socket's key and then re-polls the selector, which
 * reports every socket that is ready again (up to 1,024 at a time): when thousands of clients
 * leave together (slowloris connections dropped at once, a proxy restart) every close pays
 * for all the others, and the IO thread, which also serves every other client, stalls for
 * about a second (protocol.md §9, "Hostile input"; BENCHMARKS.md "Soak"). From another thread
 * XNIO only cancels the key and wakes the selector, which drops the cancelled keys in its next
 * round: linear. Only for a connection with nothing of ours in flight on the IO thread (an
 * answer being written there must not be cut off by a close from elsewhere).
 */
public final class OffThreadClose {

    private OffThreadClose() {
    }

    /** Closes {@code connection} from its worker's pool; at once here if the pool is stopping. */
    public static void close(StreamConnection connection) {
        close(connection, connection.getWorker());
    }

    /** Closes {@code connection} (an Undertow connection, say) from {@code worker}'s pool. */
    public static void close(Closeable connection, XnioWorker worker) {
        try {
            worker.execute(() -> IoUtils.safeClose(connection));
        } catch (RuntimeException stopping) { // the worker is stopping
            IoUtils.safeClose(connection);
        }
    }

    /** Closes every one of {@code connections} from {@code worker}'s pool, in one task ({@link CloseBatch}). */
    public static void closeAll(List<? extends Closeable> connections, XnioWorker worker) {
        try {
            worker.execute(() -> connections.forEach(IoUtils::safeClose));
        } catch (RuntimeException stopping) { // the worker is stopping
            connections.forEach(IoUtils::safeClose);
        }
    }
}
