package dev.pushrelay.loadgen;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * K keep-alive publisher connections spread over the IO threads. Each connection keeps one
 * POST in flight and asks its {@link Source} for the next (channel, seq) when the answer arrives.
 */
final class PublisherPool implements Conn.Handler {
    /** Supplies publish jobs; called on IO threads. */
    interface Source {
        /** Next job as {@code (channel << 32) | seq}, or -1 when there is no more work. */
        long next(long now);

        /** The job was just written, stamped with {@code now}. */
        void sent(int channel, int seq, long now);
    }

    private static final Source NOTHING = new Source() {
        @Override
        public long next(long now) {
            return -1;
        }

        @Override
        public void sent(int channel, int seq, long now) {
        }
    };

    private final Engine engine;
    private final byte[][] heads;
    private final int msgSize;
    private final Conn[] conns;
    private volatile Source source = NOTHING;
    final AtomicLong issued = new AtomicLong();
    final AtomicLong finished = new AtomicLong();
    final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    /** Responses to requests sent before this time are not recorded in the latency histogram. */
    volatile long measureFrom = Long.MIN_VALUE;
    /** Time the last response was received. */
    final AtomicLong lastResponseAt = new AtomicLong();
    /** Responses to requests sent at or after {@link #measureFrom}. */
    final AtomicLong measured = new AtomicLong();

    PublisherPool(Engine engine, String[] channelNames, int msgSize, int connections) {
        this.engine = engine;
        this.msgSize = msgSize;
        this.heads = new byte[channelNames.length][];
        for (int i = 0; i < channelNames.length; i++) {
            heads[i] = engine.target.publishHead(channelNames[i], msgSize);
        }
        int maxHead = 0;
        for (byte[] h : heads) {
            maxHead = Math.max(maxHead, h.length);
        }
        this.conns = new Conn[connections];
        for (int i = 0; i < connections; i++) {
            Conn c = new Conn(engine.loop(i), this, maxHead + msgSize, 512);
            c.attachment = MessageBody.template(msgSize);
            conns[i] = c;
        }
    }

    int size() {
        return conns.length;
    }

    void connect() {
        for (Conn c : conns) {
            c.loop.execute(() -> c.loop.connect(c, engine.target.pubAddress));
        }
    }

    /** Starts every connection on {@code s}; only call when the previous source is drained. */
    void run(Source s) {
        source = s;
        for (Conn c : conns) {
            c.loop.execute(() -> {
                if (!c.awaitingResponse) {
                    next(c);
                }
            });
        }
    }

    /** True when every issued request has been answered (or failed). */
    boolean drained() {
        return issued.get() == finished.get();
    }

    private void next(Conn c) {
        if (c.closed || !c.connected || c.awaitingResponse) {
            return;
        }
        long now = System.nanoTime();
        long job = source.next(now);
        if (job < 0) {
            return;
        }
        int ch = (int) (job >>> 32);
        int seq = (int) job;
        byte[] body = (byte[]) c.attachment;
        c.out.clear();
        c.out.put(heads[ch]);
        now = System.nanoTime();
        MessageBody.stamp(body, seq, now, ch);
        c.out.put(body, 0, msgSize);
        c.sentAt = now;
        issued.incrementAndGet();
        source.sent(ch, seq, now);
        c.flush();
    }

    @Override
    public void onConnect(Conn c) {
        connected.incrementAndGet();
        next(c);
    }

    @Override
    public void onResponse(Conn c, ResponseParser r, long now) {
        Stats s = c.loop.stats;
        s.pubStatus[r.status]++;
        if (c.sentAt >= measureFrom) {
            s.publishLatency.record(now - c.sentAt);
            measured.incrementAndGet();
        }
        lastResponseAt.accumulateAndGet(now, Math::max);
        finished.incrementAndGet();
        if (r.status != 201 && r.status != 202) {
            s.publishFailures++;
        }
        next(c);
    }

    @Override
    public void onClose(Conn c, String reason) {
        Stats s = c.loop.stats;
        s.error("publisher: " + reason);
        if (c.connected) {
            connected.decrementAndGet();
        }
        if (c.awaitingResponse) {
            c.awaitingResponse = false;
            s.publishFailures++;
            finished.incrementAndGet();
        }
        if (reconnects.incrementAndGet() > 100) {
            s.error("publisher gave up: too many connection failures");
            return;
        }
        s.reconnects++;
        c.loop.schedule(100, () -> c.loop.connect(c, engine.target.pubAddress));
    }
}
