package dev.pushrelay.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One long-poll subscriber: GET, wait, and on every message re-subscribe with the
 * response's Last-Modified as If-Modified-Since and its Etag as If-None-Match, carried
 * verbatim. A timeout answer (304 push module, 408 nchan) re-subscribes with the same cursor.
 */
final class Subscriber implements Conn.Handler, Follower {
    private static final byte[] IMS = "If-Modified-Since: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] INM = "If-None-Match: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CRLF = {'\r', '\n'};

    /** State shared by all subscribers of a run. */
    static final class Group {
        final Target target;
        final byte[][] heads;
        final Progress progress;
        /** Subscribers whose connection attempt has not yet resolved (connect ramp limiter). */
        final AtomicInteger connecting = new AtomicInteger();
        /** Subscribers that have sent their first request. */
        final AtomicInteger started = new AtomicInteger();
        /** Subscribers that gave up after repeated failures. */
        final AtomicInteger gaveUp = new AtomicInteger();
        /** Subscribers with a request written and no answer yet (the client's view of "waiting"). */
        final AtomicInteger pending = new AtomicInteger();
        /** fanout --latency-detail yes: latency by publish order and by round; set before any subscriber starts. */
        boolean detail;

        Group(Target target, String[] channelNames, Progress progress) {
            this.target = target;
            this.heads = new byte[channelNames.length][];
            for (int i = 0; i < channelNames.length; i++) {
                heads[i] = target.subscribeHead(channelNames[i]);
            }
            this.progress = progress;
        }
    }

    final Group group;
    final int channel;
    final Conn conn;
    final SeqChecker checker;
    private final byte[] lastModified = new byte[64];
    private int lastModifiedLen = -1;
    private final byte[] etag = new byte[128];
    private int etagLen = -1;
    private final Reconnects reconnects;
    private boolean pending;
    private long requestAt;

    Subscriber(Group group, int channel, IoLoop loop) {
        this.group = group;
        this.channel = channel;
        this.checker = new SeqChecker(group.progress.messages);
        this.conn = new Conn(loop, this, 384, 64);
        this.reconnects = new Reconnects(group, conn, "subscriber");
    }

    @Override
    public SeqChecker checker() {
        return checker;
    }

    @Override
    public void start() {
        reconnects.start();
    }

    @Override
    public void onConnect(Conn c) {
        reconnects.connected();
        send();
    }

    private void send() {
        if (conn.closed) {
            return;
        }
        ByteBuffer out = conn.out;
        out.clear();
        out.put(group.heads[channel]);
        if (lastModifiedLen >= 0) {
            out.put(IMS).put(lastModified, 0, lastModifiedLen).put(CRLF);
        }
        if (etagLen >= 0) {
            out.put(INM).put(etag, 0, etagLen).put(CRLF);
        }
        out.put(CRLF);
        if (!pending) {
            pending = true;
            group.pending.incrementAndGet();
        }
        if (group.detail) {
            requestAt = System.nanoTime();
        }
        conn.flush();
    }

    @Override
    public void onResponse(Conn c, ResponseParser r, long now) {
        Stats s = c.loop.stats;
        s.subStatus[r.status]++;
        clearPending();
        switch (r.status) {
            case 200:
                reconnects.succeeded();
                deliver(s, r, now);
                if (r.lastModifiedLen < 0 && r.etagLen < 0) {
                    s.missingCursor++;
                }
                if (r.lastModifiedLen >= 0) {
                    System.arraycopy(r.lastModified, 0, lastModified, 0, r.lastModifiedLen);
                    lastModifiedLen = r.lastModifiedLen;
                }
                if (r.etagLen >= 0) {
                    System.arraycopy(r.etag, 0, etag, 0, r.etagLen);
                    etagLen = r.etagLen;
                }
                send();
                break;
            case 304: // push module subscriber timeout
            case 408: // nchan subscriber timeout
                reconnects.succeeded();
                send();
                break;
            default:
                if (reconnects.failed(s, "too many unexpected statuses")) {
                    c.loop.schedule(reconnects.backoff(100), this::send);
                }
        }
    }

    private void deliver(Stats s, ResponseParser r, long now) {
        deliver(group, channel, checker, s, r.body, r.bodyKept, now);
        if (group.detail && MessageBody.valid(r.body, r.bodyKept)) {
            long pub = MessageBody.nanos(r.body);
            if (pub < requestAt) {
                s.fromBuffer++;
            }
            int channels = group.heads.length;
            s.byTenth[Math.min(9, channel * 10 / channels)].record(now - pub);
            s.round(MessageBody.seq(r.body)).record(now - pub);
        }
    }

    /** One message received by a subscriber of {@code channel}, of any transport: checked and counted. */
    static void deliver(Group group, int channel, SeqChecker checker, Stats s, byte[] body, int kept, long now) {
        s.deliveries++;
        if (!MessageBody.valid(body, kept)) {
            s.malformedBodies++;
            return;
        }
        int ch = MessageBody.channel(body);
        if (ch != channel) {
            s.misrouted++;
            return;
        }
        int seq = MessageBody.seq(body);
        s.deliveryLatency.record(now - MessageBody.nanos(body));
        if (checker.accept(seq)) {
            group.progress.delivered(channel, seq, now);
        }
    }

    private void clearPending() {
        if (pending) {
            pending = false;
            group.pending.decrementAndGet();
        }
    }

    @Override
    public void onClose(Conn c, String reason) {
        clearPending();
        reconnects.closed(c.loop.stats, reason);
    }
}
