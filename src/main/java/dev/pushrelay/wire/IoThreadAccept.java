package dev.pushrelay.wire;

import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptListenerSettable;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Listening sockets whose connections are accepted by the IO threads themselves, in their
 * event loop, as nginx's workers accept theirs. XNIO 3.8 accepts on a thread of its own and
 * hands each connection to an IO thread as a task (its queued server): per connection an
 * eventfd wake-up, a futex and a round of the accept thread's selector, the largest part of
 * the per-connection system time that put pushrelay's CPU per delivery above nchan's in a
 * 1×10,000 fan-out (BENCHMARKS.md, issue 13). XNIO still has the server that registers the
 * listening socket with every IO thread's selector, but no longer builds it; this builds it
 * by reflection, and returns null where that fails (another XNIO), so that the caller binds
 * XNIO's own.
 *
 * <p>Accepts are taken {@link AcceptPacer#PER_ROUND} at a time per readiness report, the rest
 * waiting in the kernel's backlog for the next round: a flood of new connections takes its
 * turn with every open connection (protocol.md §9, "Hostile input").
 */
public final class IoThreadAccept {

    private static final Logger LOG = Logger.getLogger(IoThreadAccept.class.getName());

    private IoThreadAccept() {
    }

    /**
     * Binds {@code address} with accepts suspended, each new connection handed to {@code open}
     * on its own IO thread.
     *
     * @param options the listening socket's options (XNIO's: BACKLOG, REUSE_ADDRESSES, TCP_NODELAY,
     *                BALANCING_TOKENS only with two IO threads or more, ...)
     * @return the accepting channel, or null when XNIO's per-IO-thread server cannot be built
     * @throws IOException when the address cannot be bound
     */
    public static AcceptingChannel<StreamConnection> bind(XnioWorker worker, InetSocketAddress address,
                                                          OptionMap options, Consumer<StreamConnection> open)
            throws IOException {
        Constructor<?> make = constructor(worker);
        if (make == null) return null;
        ServerSocketChannel channel = ServerSocketChannel.open();
        boolean ok = false;
        try {
            // as XNIO's NioXnioWorker.createTcpConnectionServer binds it
            if (options.contains(Options.RECEIVE_BUFFER)) {
                channel.socket().setReceiveBufferSize(options.get(Options.RECEIVE_BUFFER, -1));
            }
            channel.socket().setReuseAddress(options.get(Options.REUSE_ADDRESSES, true));
            channel.configureBlocking(false);
            channel.socket().bind(address, options.get(Options.BACKLOG, 128));
            @SuppressWarnings("unchecked")
            AcceptingChannel<StreamConnection> server =
                    (AcceptingChannel<StreamConnection>) make.newInstance(worker, channel, options, false);
            @SuppressWarnings("unchecked")
            AcceptListenerSettable<AcceptingChannel<StreamConnection>> settable =
                    (AcceptListenerSettable<AcceptingChannel<StreamConnection>>) server;
            settable.setAcceptListener(acceptor(open));
            ok = true;
            return server;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            LOG.log(Level.FINE, "XNIO's own accept thread stays", e);
            return null;
        } finally {
            if (!ok) IoUtils.safeClose(channel);
        }
    }

    /** Up to PER_ROUND accepts per report; a connection given to another IO thread is opened there. */
    private static ChannelListener<AcceptingChannel<StreamConnection>> acceptor(Consumer<StreamConnection> open) {
        return server -> {
            for (int i = 0; i < AcceptPacer.PER_ROUND; i++) {
                StreamConnection connection;
                try {
                    connection = server.accept();
                } catch (IOException e) {
                    return; // closed while reported ready
                }
                if (connection == null) return;
                XnioIoThread own = connection.getIoThread();
                if (own == Thread.currentThread()) {
                    openOrClose(open, connection);
                } else {
                    own.execute(() -> openOrClose(open, connection));
                }
            }
        };
    }

    private static void openOrClose(Consumer<StreamConnection> open, StreamConnection connection) {
        try {
            open.accept(connection);
        } catch (RuntimeException e) {
            IoUtils.safeClose(connection);
        }
    }

    private static Constructor<?> constructor(XnioWorker worker) {
        try {
            Class<?> nioWorker = Class.forName("org.xnio.nio.NioXnioWorker", false, worker.getClass().getClassLoader());
            if (!nioWorker.isInstance(worker)) return null;
            Class<?> server = Class.forName("org.xnio.nio.NioTcpServer", false, nioWorker.getClassLoader());
            Constructor<?> c = server.getDeclaredConstructor(nioWorker, ServerSocketChannel.class, OptionMap.class, boolean.class);
            c.setAccessible(true);
            return c;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "XNIO's own accept thread stays", e);
            return null;
        }
    }
}
