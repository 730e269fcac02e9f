package dev.pushrelay.server;

import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.RedisSettings;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.MemoryBroker;
import dev.pushrelay.store.redis.RedisBroker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The broker of each location (protocol.md §13): the process's in-memory store, or the
 * Redis its nchan_redis_* directives name; one {@link RedisBroker} (one set of
 * connections) per distinct Redis, kept across reloads so connections and waiters survive.
 */
final class Brokers implements Function<LocationSettings, Broker> {

    private final MemoryBroker memory;
    private final Clock clock;
    private final Map<RedisSettings, RedisBroker> redis = new ConcurrentHashMap<>();

    Brokers(ChannelStore memory, Clock clock) {
        this.memory = new MemoryBroker(memory);
        this.clock = clock;
    }

    @Override
    public Broker apply(LocationSettings location) {
        RedisSettings r = location.redis();
        if (r == null) return memory;
        RedisBroker b = redis.get(r);
        return b != null ? b : redis.computeIfAbsent(r, this::open);
    }

    /**
     * Opens a broker for every Redis the configuration names that is not open yet, so that
     * the first request does not pay for the connection.
     *
     * @return report lines
     */
    List<String> openAll(Settings settings) {
        List<String> notes = new ArrayList<>();
        for (ServerSettings s : settings.servers()) {
            for (LocationSettings l : s.locations()) {
                RedisSettings r = l.redis();
                if (r != null && !redis.containsKey(r)) {
                    RedisBroker b = redis.computeIfAbsent(r, this::open);
                    notes.addAll(b.startNotes());
                }
            }
        }
        return notes;
    }

    private RedisBroker open(RedisSettings r) {
        return RedisBroker.open(r.seeds(), r.where(), r.namespace(), r.connectTimeoutMs(), r.commandTimeoutMs(), clock,
                memory::budget, new IoThreadRedis(r.url(), r.connectTimeoutMs(), r.commandTimeoutMs(), System::nanoTime));
    }

    /** Every long-poll parked on this process, whatever its broker. */
    List<Subscriber> waiting() {
        List<Subscriber> out = new ArrayList<>(memory.waiting());
        for (RedisBroker b : redis.values()) out.addAll(b.waiting());
        return out;
    }

    /** Long-polls parked on this process for channels kept in Redis (protocol.md §13). */
    long redisParked() {
        long n = 0;
        for (RedisBroker b : redis.values()) n += b.parked();
        return n;
    }

    void close() {
        for (RedisBroker b : redis.values()) b.close();
        redis.clear();
    }
}
