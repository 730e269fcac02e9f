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
     * @param elapsed    wall time, from loading the scratch configuration to the JIT settled
     * @param settle     of which waiting for the JIT to compile what the traffic made hot ({@link JitSettle})
     * @param scratch    the scratch server's address (closed now), or null if it did not start
     * @param failure    why it ended before its budget, or null
     */
    public record Result(long requests, long unexpected, Duration traffic, Duration elapsed, Duration settle,
                         InetSocketAddress scratch, String failure) {

        /** The start-up report line ({@code "[level] text"}). */
        public String note() {
            String base = String.format(Locale.ROOT,
                    "warm-up: %d requests in %d ms (%d ms with start, stop and %d ms for the JIT to settle)"
                            + " on a scratch server, now closed",
                    requests, traffic.toMillis(), elapsed.toMillis(), settle.toMillis());
            if (failure != null) return "[warn] " + base + "; ended early: " + failure;
            if (unexpected > 0) return "[warn] " + base + "; " + unexpected + " unexpected answers";
            return "[notice] " + base;
        }
    }

    private WarmUp() {
    }

    /**
     * Sends requests for {@code budget}, or until {@link #ENOUGH} were answered and the JIT
     * had nothing more to compile for {@link #QUIET_REQUESTS} (a request hanging past the
     * budget ends the warm-up a second later at most); starting and closing the scratch
     * servers, and waiting for the last compilations (at most half the {@code budget}), come on top.
     */
    public static Result run(Duration budget, Clock clock) {
        return run(budget, ENOUGH, clock);
    }

    /** Like {@link #run(Duration, Clock)}, with {@code enough} requests in place of {@link #ENOUGH}. */
    static Result run(Duration budget, long enough, Clock clock) {
        return run(budget, enough, true, clock);
    }

    /**
     * The training run of bin/pushrelay's AOT cache (or CDS archive): the same traffic, ended by
     * its count, {@code requests} answered, or by {@code cap}, whichever comes first; no wait for
     * the JIT (the cache keeps classes and profiles, not compiled code). A budget in time recorded
     * a near-empty profile on a busy host, where 3 s got through a few hundred requests
     * (BENCHMARKS.md, issue 13 `jvmidle`).
     */
    public static Result train(long requests, Duration cap, Clock clock) {
        return run(cap, requests, false, clock);
    }

    /** {@code quietJit}: also wait for the JIT (the server's own warm-up), else stop at the count. */
    private static Result run(Duration budget, long enough, boolean quietJit, Clock clock) {
        long start = System.nanoTime();
        Settings settings;
        try {
            settings = ConfLoader.parse(CONF, Path.of("warm-up.conf"));
        } catch (ConfException e) {
            throw new IllegalStateException("the warm-up configuration is invalid: " + e.getMessage(), e);
        }
        Progress p = new Progress();
        // Two stints, each on a scratch server of its own. The second starts once the first
        // has made the hot paths compiled: a fresh server (new IO threads, empty maps, new
        // connections) takes branches the compiled code never saw, and each one that traps
        // throws a compiled method away. They trap here, and are compiled again with those
        // branches, instead of on the real server's first requests (BENCHMARKS.md, "Cold 1×1").
        long budgetNanos = budget.toNanos();
        long first = stint(settings, clock, budgetNanos * FIRST_STINT / 3, enough * FIRST_STINT / 3, quietJit, p);
        if (p.failure.get() == null && p.scratch != null) {
            stint(settings, clock, Math.max(0, budgetNanos - first), enough, quietJit, p);
        }
        // what the last requests queued for compiling (a quiet JIT under traffic needs no wait)
        Duration settle = p.scratch == null || !quietJit ? Duration.ZERO : JitSettle.await(budget.dividedBy(SETTLE_SHARE));
        return new Result(p.ok.get(), p.unexpected.get(), Duration.ofNanos(p.traffic),
                Duration.ofNanos(System.nanoTime() - start), settle, p.scratch, p.failure.get());
    }

    /**
     * Requests answered with no compilation finished (and for at least JitSettle.QUIET): the
     * traffic no longer makes anything hot enough to compile. Fewer would stop a warm-up
     * whose compiler threads had no CPU for a while on a busy machine.
     */
    static final long QUIET_REQUESTS = 2_000;

    /** At most this many times the requests asked for, JIT quiet or not (the budget ends it first, usually). */
    private static final long MORE = 4;

    /**
     * The wait for the last compilations is at most the budget divided by this: with the
     * compilers taken as idle when nearly so ({@link JitSettle}), it ended after 0.1-0.5 s
     * on a loaded host, where the whole budget went before (BENCHMARKS.md, "Start-up").
     */
    private static final int SETTLE_SHARE = 2;

    /** Of three thirds of the warm-up's requests and budget, the first stint's. */
    private static final int FIRST_STINT = 2;

    /** What the stints did so far. */
    private static final class Progress {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong unexpected = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        /** Each client's rounds so far: its rounds go on from one stint to the next. */
        final long[] rounds = new long[CLIENTS];
        long traffic;
        InetSocketAddress scratch;
        /** Set when the stint has had enough requests and the JIT is quiet, or at its budget's end. */
        volatile boolean stop;
    }

    /**
     * Starts a scratch server and drives it until {@code enough} requests were answered in
     * all stints and, with {@code quietJit}, the JIT is quiet ({@link JitSettle}), or for
     * {@code budgetNanos}; closes it.
     *
     * @return the time requests were sent (the server's start and stop not counted)
     */
    private static long stint(Settings settings, Clock clock, long budgetNanos, long enough, boolean quietJit, Progress p) {
        PushServer scratch;
        try {
            scratch = PushServer.start(settings, clock);
        } catch (RuntimeException e) {
            p.failure.compareAndSet(null, e.getMessage());
            return 0;
        }
        // The budget is for the traffic: loading the classes is a cost the real start pays anyway.
        long trafficStart = System.nanoTime();
        long deadline = trafficStart + budgetNanos;
        long traffic;
        InetSocketAddress address = scratch.addresses().get(0);
        p.scratch = address;
        p.stop = false;
        try {
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int index = c;
                Thread t = new Thread(() -> {
                    try (Client client = new Client(address, deadline, index, p)) {
                        client.loop();
                    } catch (IOException | RuntimeException e) {
                        if (System.nanoTime() < deadline) p.failure.compareAndSet(null, String.valueOf(e));
                    }
                }, "pushrelay-warm-up-" + c);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
            // Enough requests is not enough: the traffic goes on until it makes nothing more to compile.
            JitSettle jit = quietJit ? new JitSettle() : null;
            long lastCompiled = p.ok.get() + p.unexpected.get();
            while (clients.stream().anyMatch(Thread::isAlive) && System.nanoTime() - deadline < 0) {
                long answered = p.ok.get() + p.unexpected.get();
                if (jit != null && !jit.quiet()) lastCompiled = answered;
                boolean jitDone = jit == null || answered - lastCompiled >= QUIET_REQUESTS;
                if (answered >= enough && jitDone || answered >= MORE * enough) {
                    p.stop = true;
                }
                if (!JitSettle.pause()) throw new InterruptedException();
            }
            p.stop = true;
            for (Thread t : clients) t.join(1000); // a request hanging past the budget: a second more at most
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.failure.compareAndSet(null, "interrupted");
        } finally {
            traffic = System.nanoTime() - trafficStart;
            p.traffic += traffic;
            scratch.close(); // closes the client sockets a stuck loop may still read from
        }
        return traffic;
    }

    /**
     * One client loop: {@link #SUBSCRIBERS} long-poll connections, two on each of
     * {@link #BATCH} channels; one connection that only publishes (a publisher's keep-alive
     * connection stays on the lean path, protocol.md §12, as real publishers' do); and one for
     * the rest, which Undertow serves once its first interval poll hands it over: interval
     * polls, channel info, deletes, and every fourth round's publishes. Requests are pipelined
     * (a round trip per request would leave the server idle on a busy machine). Every 32
     * rounds one subscriber connection and the other one are replaced, as clients come and go.
     */
    private static final class Client implements AutoCloseable {
        private final InetSocketAddress address;
        private final Conn[] subs = new Conn[SUBSCRIBERS];
        private final Conn pub;
        private Conn other;
        private final String[] lastModified = new String[CHANNELS];
        private final String[] etag = new String[CHANNELS];
        private final long deadline;
        private final int index;
        private final String prefix;
        /** Real clients name the server with its port (RFC 9110 §7.2); some use a name. */
        private final String host;
        /** Channel info as JSON: nchan clients ask with either type (protocol.md §3.4). */
        private final String json;
        private final Progress p;

        Client(InetSocketAddress address, long deadline, int index, Progress p) throws IOException {
            this.address = address;
            this.deadline = deadline;
            this.index = index;
            this.prefix = "w" + index + "-";
            this.host = index % 2 == 0 ? address.getAddress().getHostAddress() + ":" + address.getPort() : "localhost";
            this.json = index % 2 == 0 ? "text/json" : "application/json";
            this.p = p;
            this.pub = new Conn(address, deadline);
            this.other = new Conn(address, deadline);
            for (int i = 0; i < SUBSCRIBERS; i++) subs[i] = new Conn(address, deadline);
        }

        void loop() throws IOException {
            while (!p.stop && System.nanoTime() < deadline) {
                long n = p.rounds[index]++;
                int first = (int) (n * BATCH % CHANNELS);
                if (n % 32 == 31) {
                    int k = (int) (n / 32 % SUBSCRIBERS);
                    subs[k].close();
                    subs[k] = new Conn(address, deadline);
                    other.close();
                    other = new Conn(address, deadline);
                }
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    int c = first + i % BATCH;
                    subs[i].send("GET /sub?id=" + id(c) + " HTTP/1.1\r\nHost: " + host + "\r\n" + cursor(c) + "\r\n");
                }
                // to the channels waited on (201), then as many to channels nobody waits on (202)
                StringBuilder publishes = new StringBuilder();
                for (int c = first; c < first + 2 * BATCH; c++) {
                    String body = "warm-up message " + n;
                    String channel = c < first + BATCH ? id(c) : id(c - BATCH) + "-unread";
                    publishes.append("POST /pub?id=").append(channel).append(" HTTP/1.1\r\nHost: ").append(host)
                            .append("\r\nContent-Type: text/plain\r\nContent-Length: ").append(body.length())
                            .append("\r\n\r\n").append(body);
                }
                Conn publisher = n % 4 == 1 ? other : pub;
                publisher.send(publishes.toString());
                for (int c = 0; c < 2 * BATCH; c++) expect(publisher.read().status / 100 == 2);
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
                        polls.append("GET /poll?id=").append(id(c)).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n")
                                .append(cursor(c)).append("\r\n")
                                .append("GET /poll?id=").append(id(c)).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n\r\n")
                                .append("GET /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n\r\n")
                                .append("GET /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n")
                                .append("Accept: ").append(json).append("\r\n\r\n");
                    }
                    other.send(polls.toString());
                    for (int c = first; c < first + BATCH; c++) {
                        expect(other.read().status == 304);
                        for (int k = 0; k < 3; k++) expect(other.read().status == 200);
                    }
                }
                if (n % 64 == 63) {
                    StringBuilder deletes = new StringBuilder();
                    for (int c = first; c < first + BATCH; c++) {
                        deletes.append("DELETE /pub?id=").append(id(c)).append(" HTTP/1.1\r\nHost: ").append(host)
                                .append("\r\n\r\n");
                        lastModified[c] = null;
                        etag[c] = null;
                    }
                    other.send(deletes.toString());
                    for (int c = first; c < first + BATCH; c++) expect(other.read().status == 200);
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
            (expected ? p.ok : p.unexpected).incrementAndGet();
        }

        @Override
        public void close() throws IOException {
            pub.close();
            other.close();
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
