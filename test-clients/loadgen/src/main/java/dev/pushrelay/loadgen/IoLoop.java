package dev.pushrelay.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A selector thread driving many {@link Conn}s; handlers run on it. */
final class IoLoop extends Thread {
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private final Set<Conn> conns = new HashSet<>();
    private volatile boolean stopping;
    private long timerSeq;
    /** Statistics of this loop; only touched on this thread (read after {@link #shutdown}). */
    final Stats stats = new Stats();

    private static final class Timer implements Comparable<Timer> {
        final long at;
        final long seq;
        final Runnable task;

        Timer(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    IoLoop(String name) throws IOException {
        super(name);
        setDaemon(true);
        this.selector = Selector.open();
    }

    boolean stopping() {
        return stopping;
    }

    /** Runs {@code r} on this loop's thread. */
    void execute(Runnable r) {
        tasks.add(r);
        if (Thread.currentThread() != this) {
            selector.wakeup();
        }
    }

    /** Runs {@code r} on this loop after {@code delayMillis} (loop thread only). */
    void schedule(long delayMillis, Runnable r) {
        timers.add(new Timer(System.nanoTime() + delayMillis * 1_000_000L, timerSeq++, r));
    }

    /** Opens {@code c} to {@code addr} (loop thread only); the handler hears onConnect or onClose. */
    void connect(Conn c, InetSocketAddress addr) {
        if (stopping) {
            return;
        }
        try {
            SocketChannel ch = SocketChannel.open();
            c.ch = ch;
            c.closed = false;
            c.connected = false;
            c.parser.reset();
            c.out.clear();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            conns.add(c);
            boolean done = ch.connect(addr);
            c.key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            if (done) {
                c.connected = true;
                c.handler.onConnect(c);
            }
        } catch (IOException e) {
            fail(c, "connect: " + e.getMessage());
        }
    }

    /** Closes {@code c} and reports {@code reason} to its handler. */
    void fail(Conn c, String reason) {
        if (c.closed) {
            return;
        }
        c.close(false);
        if (!stopping) {
            c.handler.onClose(c, reason);
        }
    }

    void forget(Conn c) {
        conns.remove(c);
    }

    /** Stops the loop: closes every connection (with reset) and ends the thread. */
    void shutdown() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                long timeout = 0;
                if (!timers.isEmpty()) {
                    long wait = timers.peek().at - System.nanoTime();
                    timeout = Math.max(1, wait / 1_000_000L + 1);
                }
                if (!tasks.isEmpty()) {
                    selector.selectNow();
                } else {
                    selector.select(timeout);
                }
                long now = System.nanoTime();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    handle(k, now);
                }
                if (!timers.isEmpty()) {
                    now = System.nanoTime();
                    while (!timers.isEmpty() && timers.peek().at <= now) {
                        timers.poll().task.run();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            stats.error("io loop crashed: " + e);
            e.printStackTrace();
        } finally {
            for (Conn c : new ArrayList<>(conns)) {
                c.close(true);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private void handle(SelectionKey k, long now) {
        Conn c = (Conn) k.attachment();
        if (!k.isValid() || c.closed) {
            return;
        }
        try {
            if (k.isConnectable()) {
                if (c.ch.finishConnect()) {
                    c.connected = true;
                    k.interestOps(SelectionKey.OP_READ);
                    c.handler.onConnect(c);
                }
                return;
            }
            if (k.isWritable()) {
                c.onWritable();
                if (c.closed) {
                    return;
                }
            }
            if (k.isReadable()) {
                read(c, now);
            }
        } catch (IOException e) {
            fail(c, (c.connected ? "io: " : "connect: ") + e.getMessage());
        }
    }

    private void read(Conn c, long now) throws IOException {
        ByteBuffer buf = readBuf;
        for (int rounds = 0; rounds < 4; rounds++) {
            buf.clear();
            int n = c.ch.read(buf);
            if (n < 0) {
                fail(c, c.awaitingResponse || !c.parser.idle() ? "closed by server while awaiting a response"
                        : "closed by server (idle)");
                return;
            }
            if (n == 0) {
                return;
            }
            buf.flip();
            if (c.raw != null) {
                c.raw.onBytes(c, buf, now);
                if (c.closed || n < buf.capacity()) {
                    return;
                }
                continue;
            }
            try {
                while (buf.hasRemaining() && !c.closed) {
                    if (c.parser.parse(buf)) {
                        c.awaitingResponse = false;
                        boolean close = c.parser.close;
                        c.handler.onResponse(c, c.parser, now);
                        if (close && !c.closed) {
                            fail(c, "server sent Connection: close");
                        }
                    }
                }
            } catch (ResponseParser.ProtocolException e) {
                stats.protocolErrors++;
                fail(c, "protocol: " + e.getMessage());
                return;
            }
            if (c.closed || n < buf.capacity()) {
                return;
            }
        }
    }
}
