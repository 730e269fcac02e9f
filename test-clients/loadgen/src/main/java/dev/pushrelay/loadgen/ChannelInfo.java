package dev.pushrelay.loadgen;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Polls the publisher location's channel info ({@code GET}, {@code Accept: text/json}) to
 * learn how many subscribers the server holds. A few blocking keep-alive sockets on their own
 * threads; used only between measurements.
 */
final class ChannelInfo implements Closeable {
    private final Target target;
    private final byte[][] requests;
    private final ExecutorService pool;
    private final Client[] clients;
    final Stats stats = new Stats();
    /** Last subscriber count seen per channel by {@link #awaitSubscribers} (-1 = failed). */
    final long[] lastSeen;

    ChannelInfo(Target target, String[] channelNames, int threads) {
        this.target = target;
        this.requests = new byte[channelNames.length][];
        this.lastSeen = new long[channelNames.length];
        for (int i = 0; i < channelNames.length; i++) {
            requests[i] = target.infoRequest(channelNames[i]);
        }
        int n = Math.max(1, Math.min(threads, channelNames.length));
        this.clients = new Client[n];
        for (int i = 0; i < n; i++) {
            clients[i] = new Client();
        }
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "loadgen-info");
            t.setDaemon(true);
            return t;
        });
    }

    /** Extracts N from {@code "subscribers": N}; -1 if absent. */
    static long parseSubscribers(byte[] b, int len) {
        byte[] key = "\"subscribers\"".getBytes();
        outer:
        for (int i = 0; i + key.length <= len; i++) {
            for (int j = 0; j < key.length; j++) {
                if (b[i + j] != key[j]) {
                    continue outer;
                }
            }
            int k = i + key.length;
            while (k < len && (b[k] == ' ' || b[k] == ':')) {
                k++;
            }
            long v = 0;
            int start = k;
            while (k < len && b[k] >= '0' && b[k] <= '9') {
                v = v * 10 + (b[k++] - '0');
            }
            return k > start ? v : -1;
        }
        return -1;
    }

    private final class Client {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private final ResponseParser parser = new ResponseParser(4096);
        private final byte[] raw = new byte[16384];
        private final ByteBuffer buf = ByteBuffer.wrap(raw).limit(0);
        private final Stats local = new Stats();

        /** Subscribers held on channel {@code ch} (0 if the channel does not exist); -1 on failure. */
        long subscribers(int ch) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.setTcpNoDelay(true);
                        socket.setSoTimeout(10_000);
                        socket.connect(target.pubAddress, 10_000);
                        in = socket.getInputStream();
                        out = socket.getOutputStream();
                        buf.limit(0);
                        parser.reset();
                    }
                    out.write(requests[ch]);
                    while (true) {
                        if (!buf.hasRemaining()) {
                            int n = in.read(raw);
                            if (n < 0) {
                                throw new IOException("closed by server");
                            }
                            buf.position(0).limit(n);
                        }
                        if (parser.parse(buf)) {
                            break;
                        }
                    }
                    local.infoStatus[parser.status]++;
                    if (parser.close) {
                        drop();
                    }
                    if (parser.status == 404) {
                        return 0;
                    }
                    if (parser.status != 200) {
                        return -1;
                    }
                    long v = parseSubscribers(parser.body, parser.bodyKept);
                    if (v < 0) {
                        local.error("channel info without \"subscribers\": " + parser.bodyString());
                    }
                    return v;
                } catch (IOException | ResponseParser.ProtocolException e) {
                    local.error("channel info: " + e.getMessage());
                    drop();
                }
            }
            return -1;
        }

        void drop() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing
                }
            }
            socket = null;
        }
    }

    /**
     * Waits until every channel {@code i} holds at least {@code expected[i]} subscribers, or
     * the deadline passes. Returns the number of channels still short (0 = all ready).
     */
    int awaitSubscribers(int[] expected, long deadlineNanos) {
        return await(expected, false, deadlineNanos);
    }

    /**
     * Waits until every channel holds no subscriber (0, or no such channel), or the deadline
     * passes: after the clients closed, how soon the server let them all go. Returns the
     * number of channels that still report subscribers.
     */
    int awaitReleased(long deadlineNanos) {
        return await(new int[lastSeen.length], true, deadlineNanos);
    }

    private int await(int[] expected, boolean atMost, long deadlineNanos) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int t = 0; t < clients.length; t++) {
            final int slot = t;
            fs.add(pool.submit(() -> {
                Client cl = clients[slot];
                List<Integer> todo = new ArrayList<>();
                for (int ch = slot; ch < expected.length; ch += clients.length) {
                    todo.add(ch);
                }
                long pause = 1;
                while (true) {
                    List<Integer> left = new ArrayList<>();
                    for (int ch : todo) {
                        long n = cl.subscribers(ch);
                        lastSeen[ch] = n;
                        if (atMost ? (n < 0 || n > expected[ch]) : n < expected[ch]) {
                            left.add(ch);
                        }
                    }
                    todo = left;
                    if (todo.isEmpty() || System.nanoTime() > deadlineNanos) {
                        return todo.size();
                    }
                    Thread.sleep(pause);
                    pause = Math.min(50, pause * 2);
                }
            }));
        }
        int short_ = 0;
        for (Future<Integer> f : fs) {
            // lastSeen is read after get(): the pool threads' writes are visible
            try {
                short_ += f.get();
            } catch (Exception e) {
                stats.error("channel info wait: " + e);
                short_ += 1;
            }
        }
        return short_;
    }

    /** Subscribers on one channel (for diagnostics). */
    long subscribers(int ch) throws Exception {
        return pool.submit(() -> clients[0].subscribers(ch)).get();
    }

    @Override
    public void close() {
        if (pool.isShutdown()) {
            return;
        }
        List<Future<?>> fs = new ArrayList<>();
        for (Client c : clients) {
            fs.add(pool.submit(c::drop));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
        for (Client c : clients) {
            stats.merge(c.local);
        }
    }
}
