package dev.pushrelay.server;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.Settings;
import dev.pushrelay.config.syntax.ConfException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Traffic the server runs on itself before it binds its listeners (README "Performance: the
 * JVM"), so the first real requests meet compiled code rather than the interpreter: a fresh
 * JVM spends several times a settled one's CPU per delivery for its first ten thousand
 * requests, and at one message per millisecond a subscriber with a buffer of 10 falls
 * behind in that time.
 *
 * <p>It is a whole scratch server (its own store, no logs, no state file, no metrics shared)
 * on an ephemeral port of 127.0.0.1, driven over loopback sockets through the same handler
 * chain as real traffic: strict request reading, routing, publish, long-poll parking and
 * wake-up, interval-poll 304s, channel info, delete. It is closed before the real listeners
 * are bound, so nothing of it can be seen from outside or remains in the real server.
 * Bounded by its time budget; a failure ends it early and never stops the start-up.
 */
public final class WarmUp {

    /** The locations real deployments use (protocol.md §5, §6): publisher, long-poll, interval-poll. */
    private static final String CONF = """
            http {
                server {
                    listen 127.0.0.1:0;
                    location /pub {
                        set $push_channel_id $arg_id;
                        push_publisher;
                        push_message_buffer_length 10;
                    }
                    location /sub {
                        push_subscriber long-poll;
                        push_subscriber_concurrency broadcast;
                        set $push_channel_id $arg_id;
                        default_type text/plain;
                    }
                    location /poll {
                        push_subscriber interval-poll;
                        set $push_channel_id $arg_id;
                    }
                }
            }
            """;

    /**
     * Requests after which the warm-up ends before its budget: the hot paths have been run
     * past the JIT's thresholds for its optimizing tier (about ten thousand invocations).
     */
    static final long ENOUGH = 30_000;

    /** Client loops run in parallel: enough to keep two cores' IO threads busy. */
    private static final int CLIENTS = 2;
    /** Channels each client cycles through (the store's maps see more than one key). */
    private static final int CHANNELS = 16;
    /** Channels published to in one round, each with two long-polls parked (a small fan-out). */
    private static final int BATCH = 4;
    private static final int SUBSCRIBERS = 2 * BATCH;

    /**
     * What a warm-up did.
     *
     * @param requests   requests answered as expected
     * @param unexpected requests answered otherwise (a broken path would be warmed with errors)
     * @param traffic    the time requests were sent: the budget, and the round under way at its end
     * @param elapsed    wall time, from loading the scratch configuration to the scratch server closed
     * @param scratch    the scratch server's address (closed now), or null if it did not start
     * @param failure    why it ended before its budget, or null
     */
    public record Result(long requests, long unexpected, Duration traffic, Duration elapsed, InetSocketAddress scratch,
                         String failure) {

        /** The start-up report line ({@code "[level] text"}). */
        public String note() {
            String base = String.format(Locale.ROOT,
                    "warm-up: %d requests in %d ms (%d ms with start and stop) on a scratch server, now closed",
                    requests, traffic.toMillis(), elapsed.toMillis());
            if (failure != null) return "[warn] " + base + "; ended early: " + failure;
            if (unexpected > 0) return "[warn] " + base + "; " + unexpected + " unexpected answers";
            return "[notice] " + base;
        }
    }

    private WarmUp() {
    }

    /**
     * Sends requests for {@code budget} or until {@link #ENOUGH} were answered (a request
     * hanging past the budget ends the warm-up a second later at most); starting and closing
     * the scratch server come on top.
     */
    public static Result run(Duration budget, Clock clock) {
        return run(budget, ENOUGH, clock);
    }

    /** Like {@link #run(Duration, Clock)}, ending after {@code enough} requests. */
    static Result run(Duration budget, long enough, Clock clock) {
        long start = System.nanoTime();
        Settings settings;
        try {
            settings = ConfLoader.parse(CONF, Path.of("warm-up.conf"));
        } catch (ConfException e) {
            throw new IllegalStateException("the warm-up configuration is invalid: " + e.getMessage(), e);
        }
        AtomicLong ok = new AtomicLong();
        AtomicLong unexpected = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        PushServer scratch;
        try {
            scratch = PushServer.start(settings, clock);
        } catch (RuntimeException e) {
            return new Result(0, 0, Duration.ZERO, Duration.ofNanos(System.nanoTime() - start), null, e.getMessage());
        }
        // The budget is for the traffic: loading the classes is a cost the real start pays anyway.
        long trafficStart = System.nanoTime();
        long deadline = trafficStart + budget.toNanos();
        long traffic;
        InetSocketAddress address = scratch.addresses().get(0);
        try {
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                String prefix = "w" + c + "-";
                Thread t = new Thread(() -> {
                    try (Client client = new Client(address, deadline, prefix, ok, unexpected)) {
                        client.loop(enough);
                    } catch (IOException | RuntimeException e) {
                        if (System.nanoTime() < deadline) failure.compareAndSet(null, String.valueOf(e));
                    }
                }, "pushrelay-warm-up-" + c);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
            for (Thread t : clients) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1000);
                t.join(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, "interrupted");
        } finally {
            traffic = System.nanoTime() - trafficStart;
            scratch.close(); // closes the client sockets a stuck loop may still read from
        }
        return new Result(ok.get(), unexpected.get(), Duration.ofNanos(traffic), Duration.ofNanos(System.nanoTime() - start),
                address, failure.get());
    }

    /**
     * One client loop: {@link #SUBSCRIBERS} long-poll connections, two on each of
     * {@link #BATCH} channels, and one connection that pipelines the publishes and the
     * other requests of a round (pipelining keeps the loop from waiting on a round trip per
     * request, which would leave the server idle on a busy machine).
     */
    private static final class Client implements AutoCloseable {
        private final Conn pub;
        private final Conn[] subs = new Conn[SUBSCRIBERS];
        private final String[] lastModified = new String[CHANNELS];
        private final String[] etag = new String[CHANNELS];
        private final long deadline;
        private final String prefix;
        private final AtomicLong ok;
        private final AtomicLong unexpected;

        Client(InetSocketAddress address, long deadline, String prefix, AtomicLong ok, AtomicLong unexpected)
                throws IOException {
            this.deadline = deadline;
            this.prefix = prefix;
            this.ok = ok;
            this.unexpected = unexpected;
            this.pub = new Conn(address, deadline);
            for (int i = 0; i < SUBSCRIBERS; i++) subs[i] = new Conn(address, deadline);
        }

        void loop(long enough) throws IOException {
            for (long n = 0; System.nanoTime() < deadline && ok.get() + unexpected.get() < enough; n++) {
                int first = (int) (n * BATCH % CHANNELS);
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    int c = first + i % BATCH;
                    subs[i].send("GET /sub?id=" + id(c) + " HTTP/1.1\r\nHost: localhost\r\n" + cursor(c) + "\r\n");
                }
                StringBuilder publishes = new StringBuilder();
                for (int c = first; c < first + BATCH; c++) {
                    String body = "warm-up message " + n;
                    publishes.append("POST /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n")
                            .append("Content-Type: text/plain\r\nContent-Length: ").append(body.length())
                            .append("\r\n\r\n").append(body);
                }
                pub.send(publishes.toString());
                for (int c = first; c < first + BATCH; c++) expect(pub.read().status / 100 == 2);
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    Response r = subs[i].read();
                    expect(r.status == 200);
                    lastModified[first + i % BATCH] = r.header("last-modified");
                    etag[first + i % BATCH] = r.header("etag");
                }
                if (n % 4 == 3) {
                    // interval-poll: nothing newer (304), then from the oldest (200); channel info, text and JSON
                    StringBuilder polls = new StringBuilder();
                    for (int c = first; c < first + BATCH; c++) {
                        polls.append("GET /poll?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n")
                                .append(cursor(c)).append("\r\n")
                                .append("GET /poll?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                .append("GET /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                .append("GET /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n")
                                .append("Accept: application/json\r\n\r\n");
                    }
                    pub.send(polls.toString());
                    for (int c = first; c < first + BATCH; c++) {
                        expect(pub.read().status == 304);
                        for (int k = 0; k < 3; k++) expect(pub.read().status == 200);
                    }
                }
                if (n % 64 == 63) {
                    StringBuilder deletes = new StringBuilder();
                    for (int c = first; c < first + BATCH; c++) {
                        deletes.append("DELETE /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
                        lastModified[c] = null;
                        etag[c] = null;
                    }
                    pub.send(deletes.toString());
                    for (int c = first; c < first + BATCH; c++) expect(pub.read().status == 200);
                }
            }
        }

        private String id(int c) {
            return prefix + c;
        }

        private String cursor(int c) {
            if (lastModified[c] == null) return "";
            return "If-Modified-Since: " + lastModified[c] + "\r\n"
                    + (etag[c] == null ? "" : "If-None-Match: " + etag[c] + "\r\n");
        }

        private void expect(boolean expected) {
            (expected ? ok : unexpected).incrementAndGet();
        }

        @Override
        public void close() throws IOException {
            pub.close();
            for (Conn s : subs) s.close();
        }
    }

    private record Response(int status, List<String> headers) {
        String header(String lowerName) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerName)) {
                    return h.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** A keep-alive loopback connection with a minimal HTTP/1.1 response reader. */
    private static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(InetSocketAddress address, long deadline) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            // no read waits past the budget and a second (a wedged answer ends the warm-up, not the start)
            socket.setSoTimeout((int) Math.max(1000, (deadline - System.nanoTime()) / 1_000_000 + 1000));
            socket.connect(address, 1000);
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = socket.getOutputStream();
        }

        void send(String head) throws IOException {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Response read() throws IOException {
            String statusLine = line();

            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2) throw new IOException("bad status line: " + statusLine);
            int status = Integer.parseInt(parts[1]);
            List<String> headers = new ArrayList<>();
            for (String l = line(); !l.isEmpty(); l = line()) headers.add(l);
            Response r = new Response(status, headers);
            if (status == 304 || status == 204 || status / 100 == 1) return r;
            String te = r.header("transfer-encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) { /* trailers */ }
                return r;
            }
            String length = r.header("content-length");
            if (length == null) throw new IOException("no length in a " + status + " answer");
            skip(Long.parseLong(length));
            return r;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) throw new IOException("connection closed in a body");
                    s = 1;
                }
                n -= s;
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') b.write(c);
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
