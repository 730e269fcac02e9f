package dev.pushrelay.loadgen;

import java.util.concurrent.locks.LockSupport;

/**
 * {@code jitter}: one publisher sends on a fixed schedule (one message per {@code --interval-us})
 * for {@code --duration} seconds, whatever the subscribers do, to C channels x S long-poll
 * subscribers. A subscriber needs one round trip per message, so a server stall longer than
 * the channel's buffer (messages x interval) makes it skip messages: they are counted as lost.
 * Unlike {@code fanout}, nothing waits for deliveries between messages.
 */
final class JitterScenario {
    private final Common common;
    private final int channels;
    private final int perChannel;
    private final int messages;
    private final long intervalNanos;
    private final int msgSize;
    private final long readyTimeout;
    private final long drainMillis;
    private final boolean infoCheck;

    JitterScenario(Common common, Options o) {
        this.common = common;
        this.channels = o.integer("channels", 1, 1, 1000);
        this.perChannel = o.integer("subscribers", 1, 1, 1000);
        long intervalMicros = o.num("interval-us", 1000, 50, 10_000_000);
        this.intervalNanos = intervalMicros * 1000L;
        long duration = o.num("duration", 60, 1, 3600);
        long def = duration * 1_000_000L / intervalMicros;
        this.messages = o.integer("messages", (int) Math.min(def, 10_000_000), 1, 10_000_000);
        this.msgSize = o.integer("msg-size", 100, MessageBody.HEADER, 1 << 20);
        this.readyTimeout = Common.secs(o.num("ready-timeout", 60, 1, 86_400));
        this.drainMillis = o.num("drain-ms", 2000, 0, 600_000);
        String check = o.str("ready-check", "info");
        if (!check.equals("info") && !check.equals("local")) {
            throw new IllegalArgumentException("--ready-check must be info or local");
        }
        this.infoCheck = check.equals("info");
    }

    /** The publish schedule: the next (channel, seq) once its time has come; lag is how late it went out. */
    static final class Schedule implements PublisherPool.Source {
        private final long start;
        private final long interval;
        private final int channels;
        private final int messages;
        private final Progress progress;
        private long next; // index of the next job: seq = next / channels + 1, channel = next % channels
        final Histogram lag = new Histogram();

        Schedule(long start, long interval, int channels, int messages, Progress progress) {
            this.start = start;
            this.interval = interval;
            this.channels = channels;
            this.messages = messages;
            this.progress = progress;
        }

        long due(long job) {
            return start + (job / channels) * interval;
        }

        long total() {
            return (long) channels * messages;
        }

        synchronized boolean done() {
            return next >= total();
        }

        @Override
        public synchronized long next(long now) {
            if (next >= total() || now - due(next) < 0) {
                return -1;
            }
            lag.record(now - due(next));
            long job = next++;
            return ((job % channels) << 32) | (job / channels + 1);
        }

        @Override
        public void sent(int channel, int seq, long now) {
            progress.published(channel, seq, now);
        }
    }

    Report run() throws Exception {
        Common c = common;
        int total = channels * perChannel;
        Report rep = new Report("jitter", channels + "x" + perChannel + "@" + (intervalNanos / 1000) + "us", c.label);
        String[] names = c.channelNames(channels);
        int[] expected = new int[channels];
        java.util.Arrays.fill(expected, perChannel);
        Progress progress = new Progress(channels, messages, expected);
        Subscriber.Group group = new Subscriber.Group(c.target, names, progress);
        Subscriber[] subs = new Subscriber[total];
        Schedule schedule;
        Stats stats;
        try (Engine engine = new Engine(c.target, c.threads);
             ChannelInfo info = new ChannelInfo(c.target, names, 1)) {
            for (int i = 0; i < total; i++) {
                subs[i] = new Subscriber(group, i % channels, engine.loop(i));
                subs[i].start();
            }
            long readyBy = System.nanoTime() + readyTimeout;
            int short_;
            if (infoCheck) {
                short_ = info.awaitSubscribers(expected, Math.min(readyBy, c.deadline));
            } else {
                c.await(() -> group.pending.get() >= total, readyBy);
                Thread.sleep(200);
                short_ = total - group.pending.get();
            }
            if (short_ > 0) {
                rep.problem("not all subscribers waiting before publishing (" + short_ + " short)");
            }
            PublisherPool pool = new PublisherPool(engine, names, msgSize, 1);
            pool.connect();
            if (!c.await(() -> pool.connected.get() >= 1, System.nanoTime() + Common.secs(30))) {
                rep.problem("publisher connection not opened");
            }
            c.say("publishing %d message(s) per channel, one every %d us, to %d subscriber(s)", messages,
                    intervalNanos / 1000, total);
            long start = System.nanoTime() + 1_000_000L;
            schedule = new Schedule(start, intervalNanos, channels, messages, progress);
            // The pool asks the schedule on every answer; this loop asks it when a message falls due
            // and the connection is idle.
            for (long job = 0; job < schedule.total() && c.remainingNanos() > 0; job += channels) {
                long wait = schedule.due(job) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                pool.run(schedule);
            }
            c.await(() -> schedule.done() && pool.drained(), System.nanoTime() + Common.secs(30));
            if (!schedule.done()) {
                rep.problem("run timeout before every message was published");
            }
            long last = messages;
            long want = progress.totalExpected();
            c.await(() -> progress.perSeq.get((int) last) >= want, System.nanoTime() + drainMillis * 1_000_000L);
            engine.close();
            info.close();
            stats = engine.stats();
            stats.merge(info.stats);
        }
        long lost = 0;
        long dup = 0;
        long reordered = 0;
        for (Subscriber s : subs) {
            lost += s.checker.lost();
            dup += s.checker.duplicates();
            reordered += s.checker.reordered();
        }
        Histogram lat = stats.deliveryLatency;
        rep.fig("messages", messages, "count");
        rep.fig("deliveries", stats.deliveries, "count");
        rep.ms("latency_p50_ms", lat.percentile(0.50));
        rep.ms("latency_p99_ms", lat.percentile(0.99));
        rep.ms("latency_p999_ms", lat.percentile(0.999));
        rep.ms("latency_max_ms", lat.max());
        rep.ms("publish_p99_ms", stats.publishLatency.percentile(0.99));
        rep.ms("publish_max_ms", stats.publishLatency.max());
        rep.ms("publish_lag_max_ms", schedule.lag.max());
        rep.fig("lost", lost, "count");
        rep.fig("duplicated", dup, "count");
        rep.fig("reordered", reordered, "count");
        long unexpected = Stats.sumExcept(stats.subStatus, 200, 304, 408) + Stats.sumExcept(stats.pubStatus, 201, 202)
                + Stats.sumExcept(stats.infoStatus, 200, 404);
        rep.fig("unexpected_statuses", unexpected, "count");
        common.say("subscriber statuses: %s", Stats.statuses(stats.subStatus));
        common.say("publisher statuses: %s", Stats.statuses(stats.pubStatus));
        stats.errors.forEach((k, v) -> common.say("event x%d: %s", v, k));
        if (lost > 0) {
            rep.problem(lost + " message deliveries lost (the subscriber fell behind the channel's buffer)");
        }
        if (dup > 0) {
            rep.problem(dup + " duplicated deliveries");
        }
        if (reordered > 0) {
            rep.problem(reordered + " deliveries out of order");
        }
        if (unexpected > 0) {
            rep.problem(unexpected + " unexpected statuses");
        }
        if (stats.reconnects > 0) {
            rep.problem(stats.reconnects + " reconnects (connections closed or refused)");
        }
        if (stats.publishFailures > 0) {
            rep.problem(stats.publishFailures + " failed publishes");
        }
        return rep;
    }
}
