package dev.pushrelay.loadgen;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code fanout}: C channels x S waiting subscribers, M messages per channel, one round per
 * message number; and {@code idle}: N subscribers spread over C channels, server RSS per
 * subscriber, then one message per channel.
 */
final class FanoutScenario {
    private final Common common;
    private final boolean idle;
    private final int channels;
    private final int totalSubscribers;
    private final int messages;
    private final int msgSize;
    private final int publishers;
    private final int maxConnecting;
    private final int infoThreads;
    private final long readyTimeout;
    private final long roundTimeout;
    private final long settleTimeout;
    private final long pauseMillis;
    private final long graceMillis;
    private final long idleSettleMillis;
    private final String serverPid;
    /** A JVM server whose live heap per subscriber is taken too (idle; {@link LiveHeap}). */
    private final String heapPid;
    private final int[] expected;
    private final boolean infoCheck;
    private final long localSettleMillis;
    private final boolean releaseCheck;
    private final long[] roundStart = new long[1024];
    /** --latency-detail yes: the latency CDF, by publish order and by round, and buffer deliveries. */
    private final boolean latencyDetail;
    /** null: long-poll; else the stream kind of every subscriber. */
    private final StreamSubscriber.Kind transport;

    FanoutScenario(Common common, Options o, boolean idle) {
        this.common = common;
        this.idle = idle;
        if (idle) {
            this.totalSubscribers = o.integer("subscribers", 1000, 1, 10_000_000);
            this.channels = o.integer("channels", Math.min(100, totalSubscribers), 1, totalSubscribers);
            this.messages = o.integer("messages", 1, 1, 1_000_000);
            this.serverPid = o.str("server-pid", null);
            this.heapPid = o.str("heap-pid", null);
            this.idleSettleMillis = o.num("settle-ms", 2000, 0, 600_000);
        } else {
            this.channels = o.integer("channels", 1, 1, 1_000_000);
            int perChannel = o.integer("subscribers", 1, 1, 10_000_000);
            this.totalSubscribers = Math.multiplyExact(channels, perChannel);
            this.messages = o.integer("messages", 20, 1, 1_000_000);
            this.serverPid = o.str("server-pid", null);
            this.heapPid = null;
            this.idleSettleMillis = 0;
        }
        this.expected = new int[channels];
        for (int i = 0; i < totalSubscribers; i++) {
            expected[i % channels]++;
        }
        this.msgSize = o.integer("msg-size", 100, MessageBody.HEADER, 1 << 20);
        this.publishers = o.integer("publishers", Math.min(channels, 8), 1, 10_000);
        this.maxConnecting = o.integer("max-connecting", 256, 1, 100_000);
        this.infoThreads = o.integer("info-threads", 4, 1, 64);
        this.readyTimeout = Common.secs(o.num("ready-timeout", 120, 1, 86_400));
        this.roundTimeout = Common.secs(o.num("round-timeout", 30, 1, 86_400));
        this.settleTimeout = Common.secs(o.num("resubscribe-timeout", 30, 1, 86_400));
        this.pauseMillis = o.num("pause-ms", 0, 0, 600_000);
        this.graceMillis = o.num("grace-ms", 300, 0, 600_000);
        String check = o.str("ready-check", "info");
        if (!check.equals("info") && !check.equals("local")) {
            throw new IllegalArgumentException("--ready-check must be info or local");
        }
        this.infoCheck = check.equals("info");
        this.localSettleMillis = o.num("local-settle-ms", 200, 0, 600_000);
        String release = o.str("release-check", "yes");
        if (!release.equals("yes") && !release.equals("no")) {
            throw new IllegalArgumentException("--release-check must be yes or no");
        }
        this.releaseCheck = release.equals("yes");
        this.latencyDetail = o.str("latency-detail", "no").equals("yes");
        String t = o.str("transport", "longpoll");
        switch (t) {
            case "longpoll": this.transport = null; break;
            case "eventsource": this.transport = StreamSubscriber.Kind.EVENTSOURCE; break;
            case "websocket": this.transport = StreamSubscriber.Kind.WEBSOCKET; break;
            default: throw new IllegalArgumentException("--transport must be longpoll, eventsource or websocket");
        }
    }

    String shape() {
        String via = transport == null ? "" : "/" + transport.name().toLowerCase(java.util.Locale.ROOT);
        if (idle) {
            return totalSubscribers + "sub/" + channels + "ch" + via;
        }
        return channels + "x" + (totalSubscribers / channels) + via;
    }

    Report run() throws Exception {
        Common c = common;
        Report rep = new Report(idle ? "idle" : "fanout", shape(), c.label);
        String[] names = c.channelNames(channels);
        Progress progress = new Progress(channels, messages, expected);
        Subscriber.Group group = new Subscriber.Group(c.target, names, progress);
        group.detail = latencyDetail;
        long rssBefore = -1;
        if (serverPid != null) {
            rssBefore = Rss.bytes(serverPid);
        }
        LiveHeap heapBefore = heapPid == null ? null : LiveHeap.of(heapPid);
        int rounds = 0;
        int incompleteRounds = 0;
        int resubscribeTimeouts = 0;
        long readyNanos;
        Follower[] subs = new Follower[totalSubscribers];
        Stats stats;
        try (Engine engine = new Engine(c.target, c.threads);
             ChannelInfo info = new ChannelInfo(c.target, names, infoThreads)) {
            for (int i = 0; i < totalSubscribers; i++) {
                subs[i] = transport == null ? new Subscriber(group, i % channels, engine.loop(i))
                        : new StreamSubscriber(group, i % channels, engine.loop(i), transport);
            }
            c.say("connecting %d subscribers on %d channel(s) (prefix %s)", totalSubscribers, channels, c.prefix);
            long t0 = System.nanoTime();
            long readyDeadline = t0 + readyTimeout;
            for (Follower s : subs) {
                if (!c.await(() -> group.connecting.get() < maxConnecting, readyDeadline)) {
                    break;
                }
                s.start();
            }
            c.await(() -> group.started.get() + group.gaveUp.get() >= totalSubscribers, readyDeadline);
            int shortChannels = awaitWaiting(info, group, readyDeadline);
            readyNanos = System.nanoTime() - t0;
            if (shortChannels > 0) {
                describeShort(info);
            }
            if (shortChannels > 0 || group.gaveUp.get() > 0) {
                rep.problem("not all subscribers waiting before publishing: " + shortChannels
                        + " channel(s) short, " + group.gaveUp.get() + " subscriber(s) gave up, "
                        + group.started.get() + " started");
            }
            c.say("%d subscribers waiting after %.2f s", group.started.get(), readyNanos / 1e9);
            rep.fig("subscribers", totalSubscribers, "count");
            rep.ms("ready_time_ms", readyNanos);

            if (idle) {
                Thread.sleep(Math.min(idleSettleMillis, Math.max(0, c.remainingNanos() / 1_000_000)));
                if (serverPid != null) {
                    long rssAfter = Rss.bytes(serverPid);
                    double per = (rssAfter - rssBefore) / (double) totalSubscribers;
                    c.say("server RSS %d KiB -> %d KiB", rssBefore / 1024, rssAfter / 1024);
                    rep.fig("server_rss_before_kib", rssBefore / 1024, "KiB");
                    rep.fig("server_rss_after_kib", rssAfter / 1024, "KiB");
                    rep.fig("rss_per_subscriber_bytes", Math.round(per), "bytes");
                }
                if (heapBefore != null) {
                    LiveHeap heapAfter = LiveHeap.of(heapPid);
                    c.say("server live heap %d KiB -> %d KiB (class histogram)", heapBefore.bytes() / 1024,
                            heapAfter.bytes() / 1024);
                    rep.fig("live_heap_per_subscriber_bytes",
                            Math.round((heapAfter.bytes() - heapBefore.bytes()) / (double) totalSubscribers), "bytes");
                    rep.fig("live_objects_per_subscriber",
                            Math.round((heapAfter.objects() - heapBefore.objects()) / (double) totalSubscribers), "count");
                    rep.fig("heap_probe_user_ticks", heapBefore.userTicks() + heapAfter.userTicks(), "ticks");
                    rep.fig("heap_probe_sys_ticks", heapBefore.sysTicks() + heapAfter.sysTicks(), "ticks");
                }
            }

            PublisherPool pool = new PublisherPool(engine, names, msgSize, publishers);
            pool.connect();
            if (!c.await(() -> pool.connected.get() >= pool.size(), System.nanoTime() + Common.secs(30))) {
                rep.problem("only " + pool.connected.get() + " of " + pool.size() + " publisher connections opened");
            }
            long total = progress.totalExpected();
            for (int r = 1; r <= messages; r++) {
                if (c.remainingNanos() <= 0) {
                    rep.problem("run timeout (--timeout) after " + rounds + " of " + messages + " rounds");
                    break;
                }
                final int seq = r;
                roundStart[Math.min(r, roundStart.length - 1)] = System.currentTimeMillis();
                AtomicInteger nextCh = new AtomicInteger();
                pool.run(new PublisherPool.Source() {
                    @Override
                    public long next(long now) {
                        int ch = nextCh.getAndIncrement();
                        return ch < channels ? ((long) ch << 32) | seq : -1;
                    }

                    @Override
                    public void sent(int channel, int s, long now) {
                        progress.published(channel, s, now);
                    }
                });
                rounds = r;
                boolean done = c.await(() -> progress.perSeq.get(seq) >= total && nextCh.get() >= channels
                        && pool.drained(), System.nanoTime() + roundTimeout);
                if (!done) {
                    incompleteRounds++;
                    c.say("round %d incomplete after timeout: %d of %d deliveries", r, progress.perSeq.get(seq), total);
                }
                if (r < messages) {
                    int shortCh = awaitWaiting(info, group, System.nanoTime() + settleTimeout);
                    if (shortCh > 0) {
                        resubscribeTimeouts++;
                        describeShort(info);
                    }
                    if (pauseMillis > 0) {
                        LockSupport.parkNanos(pauseMillis * 1_000_000L);
                    }
                }
            }
            if (graceMillis > 0) {
                Thread.sleep(graceMillis);
            }
            engine.close(); // every subscriber connection is reset at once
            if (idle && infoCheck && releaseCheck) {
                // A mass disconnect (a proxy restart, clients leaving together): how soon the
                // server releases every waiting request, and that it still answers meanwhile.
                long t = System.nanoTime();
                int stuck = info.awaitReleased(Math.min(System.nanoTime() + settleTimeout, c.deadline));
                rep.ms("release_ms", System.nanoTime() - t);
                if (stuck > 0) {
                    rep.problem(stuck + " channel(s) still report subscribers after every client closed");
                }
            }
            info.close();
            stats = engine.stats();
            stats.merge(info.stats);
        }
        summarize(rep, progress, subs, stats, rounds, incompleteRounds, resubscribeTimeouts);
        return rep;
    }

    /**
     * Waits until every subscriber is held by the server: by channel info (default), or with
     * {@code --ready-check local} (for servers whose channel info under-counts, e.g. nchan with
     * several workers) until every subscriber has a request outstanding, plus a short settle time.
     * Returns the number of channels (info) or subscribers (local) still short.
     */
    private int awaitWaiting(ChannelInfo info, Subscriber.Group group, long until) throws InterruptedException {
        if (infoCheck) {
            return info.awaitSubscribers(expected, Math.min(until, common.deadline));
        }
        int want = totalSubscribers - group.gaveUp.get();
        common.await(() -> group.pending.get() >= want, until);
        Thread.sleep(localSettleMillis);
        return Math.max(0, want - group.pending.get());
    }

    private void describeShort(ChannelInfo info) {
        if (!infoCheck) {
            return;
        }
        int shown = 0;
        for (int ch = 0; ch < channels && shown < 5; ch++) {
            if (info.lastSeen[ch] < expected[ch]) {
                common.say("channel %d: server reports %d of %d subscribers", ch, info.lastSeen[ch], expected[ch]);
                shown++;
            }
        }
    }

    private void summarize(Report rep, Progress p, Follower[] subs, Stats s, int rounds, int incompleteRounds,
                           int resubscribeTimeouts) {
        Histogram completion = new Histogram();
        long incompleteMessages = 0;
        double windowSum = 0;
        long windowDeliveries = 0;
        for (int r = 1; r <= rounds; r++) {
            long firstPub = Long.MAX_VALUE;
            long lastDel = Long.MIN_VALUE;
            for (int ch = 0; ch < channels; ch++) {
                long pub = p.publishTime(ch, r);
                if (pub == 0) {
                    incompleteMessages++;
                    continue;
                }
                firstPub = Math.min(firstPub, pub);
                long last = p.lastDelivery(ch, r);
                if (p.deliveredCount(ch, r) > 0) {
                    lastDel = Math.max(lastDel, last);
                }
                if (p.deliveredCount(ch, r) >= expected[ch]) {
                    completion.record(last - pub);
                } else {
                    incompleteMessages++;
                }
            }
            if (lastDel > firstPub) {
                windowSum += (lastDel - firstPub) / 1e9;
                windowDeliveries += p.perSeq.get(r);
            }
        }
        long lost = 0;
        long dup = 0;
        long reordered = 0;
        long outOfRange = 0;
        for (Follower sub : subs) {
            SeqChecker k = sub.checker();
            for (int seq = 1; seq <= rounds; seq++) {
                if (!k.has(seq)) {
                    lost++;
                }
            }
            dup += k.duplicates();
            reordered += k.reordered();
            outOfRange += k.outOfRange();
        }
        Histogram lat = s.deliveryLatency;
        rep.fig("rounds", rounds, "count");
        rep.fig("deliveries", s.deliveries, "count");
        rep.ms("latency_p50_ms", lat.percentile(0.50));
        rep.ms("latency_p90_ms", lat.percentile(0.90));
        rep.ms("latency_p99_ms", lat.percentile(0.99));
        rep.ms("latency_max_ms", lat.max());
        if (latencyDetail) {
            StringBuilder b = new StringBuilder("latency CDF ms:");
            for (double q : new double[] {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999}) {
                b.append(String.format(" p%s=%.2f", q * 100, lat.percentile(q) / 1e6));
            }
            common.say("%s", b);
            for (int i = 0; i < 10; i++) {
                common.say("publish-order tenth %d: p50 %.2f p90 %.2f p99 %.2f max %.2f ms (%d)", i,
                        s.byTenth[i].percentile(0.5) / 1e6, s.byTenth[i].percentile(0.9) / 1e6,
                        s.byTenth[i].percentile(0.99) / 1e6, s.byTenth[i].max() / 1e6, s.byTenth[i].count());
            }
            for (int i = 1; i < s.byRound.length; i++) {
                common.say("round %d at %d: p50 %.2f p90 %.2f p99 %.2f max %.2f ms", i, roundStart[Math.min(i, roundStart.length - 1)],
                        s.byRound[i].percentile(0.5) / 1e6, s.byRound[i].percentile(0.9) / 1e6,
                        s.byRound[i].percentile(0.99) / 1e6, s.byRound[i].max() / 1e6);
            }
            common.say("delivered from the buffer (published before the request was written): %d", s.fromBuffer);
        }
        rep.ms("completion_p50_ms", completion.percentile(0.50));
        rep.ms("completion_p99_ms", completion.percentile(0.99));
        rep.ms("completion_max_ms", completion.max());
        rep.fig("deliveries_per_s", windowSum > 0 ? Math.round(windowDeliveries / windowSum) : 0, "1/s");
        rep.ms("publish_p50_ms", s.publishLatency.percentile(0.50));
        rep.fig("lost", lost, "count");
        rep.fig("duplicated", dup, "count");
        rep.fig("reordered", reordered, "count");
        long unexpectedSub = Stats.sumExcept(s.subStatus, 101, 200, 304, 408); // 101: a WebSocket opened
        long unexpectedPub = Stats.sumExcept(s.pubStatus, 201, 202);
        long unexpectedInfo = Stats.sumExcept(s.infoStatus, 200, 404);
        rep.fig("unexpected_statuses", unexpectedSub + unexpectedPub + unexpectedInfo, "count");
        rep.fig("subscriber_timeouts", s.subStatus[304] + s.subStatus[408], "count");
        rep.fig("info_requests", Stats.sumExcept(s.infoStatus), "count"); // the ready check's channel-info polls
        common.say("subscriber statuses: %s", Stats.statuses(s.subStatus));
        common.say("publisher statuses: %s", Stats.statuses(s.pubStatus));
        common.say("channel-info statuses: %s", Stats.statuses(s.infoStatus));
        s.errors.forEach((k, v) -> common.say("event x%d: %s", v, k));
        if (lost > 0) {
            rep.problem(lost + " message deliveries lost (subscriber never got the sequence number)");
        }
        if (dup > 0) {
            rep.problem(dup + " duplicated deliveries");
        }
        if (reordered > 0) {
            rep.problem(reordered + " deliveries out of order");
        }
        if (outOfRange > 0) {
            rep.problem(outOfRange + " deliveries with a sequence number never published");
        }
        if (s.misrouted > 0) {
            rep.problem(s.misrouted + " deliveries of another channel's message");
        }
        if (s.malformedBodies > 0) {
            rep.problem(s.malformedBodies + " 200 answers whose body is not a loadgen message");
        }
        if (s.missingCursor > 0) {
            rep.problem(s.missingCursor + " 200 answers without Last-Modified and Etag");
        }
        if (unexpectedSub > 0) {
            rep.problem("unexpected subscriber statuses: " + Stats.statuses(s.subStatus));
        }
        if (unexpectedPub > 0) {
            rep.problem("unexpected publisher statuses: " + Stats.statuses(s.pubStatus));
        }
        if (unexpectedInfo > 0) {
            rep.problem("unexpected channel-info statuses: " + Stats.statuses(s.infoStatus));
        }
        if (s.protocolErrors > 0) {
            rep.problem(s.protocolErrors + " HTTP protocol errors");
        }
        if (s.publishFailures > 0) {
            rep.problem(s.publishFailures + " failed publishes");
        }
        if (s.reconnects > 0) {
            rep.problem(s.reconnects + " reconnects (connections closed or refused)");
        }
        if (incompleteRounds > 0) {
            rep.problem(incompleteRounds + " round(s) not fully delivered within --round-timeout ("
                    + incompleteMessages + " channel messages incomplete)");
        }
        if (resubscribeTimeouts > 0) {
            rep.problem(resubscribeTimeouts + " wait(s) for re-subscription timed out (channel info short)");
        }
    }
}
