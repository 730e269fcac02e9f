package dev.pushrelay.metrics;

import dev.pushrelay.store.ChannelStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@link PushMetrics} as Micrometer meters, plus the JVM and process meters, exposed in
 * Prometheus text format. Counters and the timer are created once; the store's numbers are
 * gauges read from {@link ChannelStore#stats()} at scrape time (no per-channel tags: the
 * number of channels is unbounded). Micrometer holds gauge targets weakly, so the store
 * and the dropped-lines supplier are kept here and registered with strong references.
 */
public final class MicrometerPushMetrics implements PushMetrics, AutoCloseable {

    /** Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final ChannelStore store;
    private final LongSupplier logLinesDropped;
    private final LongSupplier redisWaiting;
    private final Counter published;
    private final Counter delivered;
    private final Map<Ending, Counter> endings = new EnumMap<>(Ending.class);
    private final Map<String, Counter> outcomes = new HashMap<>();
    private final Timer publishLatency;
    private final JvmGcMetrics gc;

    public MicrometerPushMetrics(ChannelStore store, LongSupplier logLinesDropped) {
        this(store, logLinesDropped, () -> 0);
    }

    /**
     * @param redisWaiting long-polls parked on this node for channels kept in Redis (protocol.md
     *        §13); counted with the in-memory ones in pushrelay_subscribers_waiting
     */
    public MicrometerPushMetrics(ChannelStore store, LongSupplier logLinesDropped, LongSupplier redisWaiting) {
        this.redisWaiting = redisWaiting;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.store = store;
        this.logLinesDropped = logLinesDropped;
        MeterRegistry r = registry;
        published = Counter.builder("pushrelay.messages.published")
                .description("Messages accepted by publishers (201 or 202)").register(r);
        delivered = Counter.builder("pushrelay.messages.delivered")
                .description("Message responses sent to subscribers, at once or after waiting").register(r);
        for (Ending e : Ending.values()) {
            endings.put(e, Counter.builder("pushrelay.subscriber.endings").tag("how", e.label())
                    .description("Parked long-polls ended, by how (protocol.md 4.3)").register(r));
        }
        for (String o : OUTCOMES) {
            outcomes.put(o, Counter.builder("pushrelay.publish.requests").tag("outcome", o)
                    .description("Publisher POST/PUT answers by status class").register(r));
        }
        publishLatency = Timer.builder("pushrelay.publish.latency")
                .description("Publisher POST/PUT, from request head to end of response")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
                        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
                .register(r);
        Gauge.builder("pushrelay.subscribers.waiting", store, s -> s.stats().subscribers() + redisWaiting.getAsLong())
                .strongReference(true).description("Long-poll requests waiting now on this node").register(r);
        Gauge.builder("pushrelay.redis.subscribers.waiting", redisWaiting, LongSupplier::getAsLong).strongReference(true)
                .description("Long-poll requests waiting now on this node for channels kept in Redis").register(r);
        Gauge.builder("pushrelay.channels", store, s -> s.stats().channels()).strongReference(true)
                .description("Channels held").register(r);
        Gauge.builder("pushrelay.stored.messages", store, s -> s.stats().messages()).strongReference(true)
                .description("Messages stored").register(r);
        Gauge.builder("pushrelay.reserved.memory.used", store, s -> s.stats().reservedBytes()).strongReference(true)
                .baseUnit("bytes").description("Bytes charged against push_max_reserved_memory").register(r);
        Gauge.builder("pushrelay.reserved.memory.limit", store, s -> s.stats().budgetBytes()).strongReference(true)
                .baseUnit("bytes").description("push_max_reserved_memory").register(r);
        FunctionCounter.builder("pushrelay.log.lines.dropped", logLinesDropped, LongSupplier::getAsLong)
                .description("Log lines dropped because the disk could not keep up").register(r);
        new JvmMemoryMetrics().bindTo(r);
        gc = new JvmGcMetrics();
        gc.bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
    }

    @Override
    public void published() {
        published.increment();
    }

    @Override
    public void delivered() {
        delivered.increment();
    }

    @Override
    public void subscriberEnded(Ending how) {
        endings.get(how).increment();
        if (how == Ending.MESSAGE) delivered.increment();
    }

    @Override
    public void publishAnswered(int status, long nanos) {
        String o = PushMetrics.outcome(status);
        if (o != null) outcomes.get(o).increment();
        publishLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public Totals totals() {
        Map<Ending, Long> e = new EnumMap<>(Ending.class);
        endings.forEach((k, c) -> e.put(k, (long) c.count()));
        Map<String, Long> o = new HashMap<>();
        outcomes.forEach((k, c) -> o.put(k, (long) c.count()));
        return new Totals((long) published.count(), (long) delivered.count(), e, o, logLinesDropped.getAsLong(),
                redisWaiting.getAsLong());
    }

    /** Every meter in Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** The store this reads; held so the gauges keep working. */
    ChannelStore store() {
        return store;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
