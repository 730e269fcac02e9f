package dev.pushrelay.loadgen;

import java.util.concurrent.atomic.AtomicLong;

/** {@code publish}: K keep-alive connections POSTing messages round-robin over C channels, no subscribers. */
final class PublishScenario {
    private final Common common;
    private final int connections;
    private final int channels;
    private final int msgSize;
    private final long maxRequests;
    private final long durationNanos;
    private final long warmupNanos;

    PublishScenario(Common common, Options o) {
        this.common = common;
        this.connections = o.integer("connections", 16, 1, 10_000);
        this.channels = o.integer("channels", 100, 1, 1_000_000);
        this.msgSize = o.integer("msg-size", 100, MessageBody.HEADER, 1 << 20);
        this.maxRequests = o.num("requests", 2_000_000, 1, Integer.MAX_VALUE);
        this.durationNanos = o.num("duration", 10, 1, 3600) * 1_000_000_000L;
        this.warmupNanos = o.num("warmup", 2, 0, 3600) * 1_000_000_000L;
    }

    Report run() throws Exception {
        Common c = common;
        Report rep = new Report("publish", connections + "conn/" + channels + "ch", c.label);
        String[] names = c.channelNames(channels);
        Stats stats;
        PublisherPool pool;
        long measureFrom;
        try (Engine engine = new Engine(c.target, c.threads)) {
            pool = new PublisherPool(engine, names, msgSize, connections);
            pool.connect();
            if (!c.await(() -> pool.connected.get() >= connections, System.nanoTime() + Common.secs(30))) {
                rep.problem("only " + pool.connected.get() + " of " + connections + " connections opened");
            }
            long start = System.nanoTime();
            measureFrom = start + warmupNanos;
            long endAt = measureFrom + durationNanos;
            pool.measureFrom = measureFrom;
            AtomicLong counter = new AtomicLong();
            c.say("publishing on %d connections over %d channels for %.0f s (+%.0f s warm-up, at most %d requests)",
                    connections, channels, durationNanos / 1e9, warmupNanos / 1e9, maxRequests);
            pool.run(new PublisherPool.Source() {
                @Override
                public long next(long now) {
                    if (now - endAt >= 0) {
                        return -1;
                    }
                    long i = counter.getAndIncrement();
                    if (i >= maxRequests) {
                        return -1;
                    }
                    int ch = (int) (i % channels);
                    int seq = (int) (i / channels) + 1;
                    return ((long) ch << 32) | seq;
                }

                @Override
                public void sent(int channel, int seq, long now) {
                }
            });
            // answers per second of the run, so a slow round shows whether it was slow throughout or stalled
            long[] tick = {start + Common.secs(1), 0};
            StringBuilder perSecond = new StringBuilder();
            c.await(() -> {
                long now = System.nanoTime();
                if (now - tick[0] >= 0 && now - endAt < 0) {
                    long done = pool.finished.get();
                    perSecond.append(perSecond.length() == 0 ? "" : " ").append(done - tick[1]);
                    tick[1] = done;
                    tick[0] += Common.secs(1);
                }
                return (now - endAt >= 0 || counter.get() >= maxRequests) && pool.drained();
            }, endAt + Common.secs(30));
            c.say("answers per second (warm-up included): %s", perSecond);
            if (!pool.drained()) {
                rep.problem((pool.issued.get() - pool.finished.get()) + " publish request(s) never answered");
            }
            engine.close();
            stats = engine.stats();
        }
        long measured = pool.measured.get();
        double window = (pool.lastResponseAt.get() - measureFrom) / 1e9;
        Histogram h = stats.publishLatency;
        rep.fig("requests", pool.finished.get(), "count");
        rep.fig("measured_requests", measured, "count");
        rep.fig("requests_per_s", window > 0 ? Math.round(measured / window) : 0, "1/s");
        rep.ms("latency_p50_ms", h.percentile(0.50));
        rep.ms("latency_p90_ms", h.percentile(0.90));
        rep.ms("latency_p99_ms", h.percentile(0.99));
        rep.ms("latency_max_ms", h.max());
        long unexpected = Stats.sumExcept(stats.pubStatus, 201, 202);
        rep.fig("unexpected_statuses", unexpected, "count");
        c.say("publisher statuses: %s", Stats.statuses(stats.pubStatus));
        stats.errors.forEach((k, v) -> c.say("event x%d: %s", v, k));
        if (measured == 0) {
            rep.problem("no request measured (warm-up longer than the run?)");
        }
        if (unexpected > 0) {
            rep.problem("unexpected publisher statuses: " + Stats.statuses(stats.pubStatus));
        }
        if (stats.protocolErrors > 0) {
            rep.problem(stats.protocolErrors + " HTTP protocol errors");
        }
        if (stats.publishFailures > 0) {
            rep.problem(stats.publishFailures + " failed publishes");
        }
        return rep;
    }
}
