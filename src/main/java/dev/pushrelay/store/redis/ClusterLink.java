package dev.pushrelay.store.redis;

import dev.pushrelay.store.BrokerUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connections of a node to a Redis Cluster (protocol.md §13, "Redis Cluster"). A
 * channel's keys share one hash slot through the {@code {channel}} tag of {@link
 * RedisBroker}'s key layout; its announcements and this node's liveness marker are
 * <em>shard</em> channels of that same slot ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7),
 * named with a short tag that hashes to the slot ({@link SlotTags}). So an announcement
 * reaches only the master that owns the slot, and only the nodes that subscribed there,
 * i.e. that have had waiters on a channel of that slot; nothing is broadcast over the
 * cluster bus. The epoch key (lost data) is one per slot too, so every script touches one
 * slot only.
 *
 * <p>A node subscribes to a slot's two shard channels before its first registration
 * there (and keeps them), so no announcement can pass between its registration and its
 * subscription. Lettuce routes each script by its first key, refreshes the topology
 * periodically and on MOVED/ASK, and reconnects a node's pub/sub connection, where {@link #resubscribe} subscribes its
 * slots again; when a slot changes owner, {@link #followMoves} subscribes at the
 * new owner and the broker catches its waiters up.
 *
 * <p>A master lost (a connection to it dropped, a script that found no one there) or a
 * shard subscription ended by Redis ({@code SUNSUBSCRIBE}: its slot moved, or its master
 * became a replica) makes the topology {@link #suspect}: it is asked again every half second
 * for the next 30 s, so a failover or a migration is followed within a second of the
 * cluster agreeing on it, not at the next periodic refresh (protocol.md §13).
 */
final class ClusterLink {

    private static final Logger LOG = Logger.getLogger(ClusterLink.class.getName());

    private final String namespace;
    private final String node;
    private final SlotTags tags;
    private final RedisClusterClient client;
    private final Consumer<byte[]> onAnnouncement;
    private final Runnable onMoved;
    private final ClientResources resources;
    /** Until when ({@link System#nanoTime}) the topology is asked again every half second. */
    private volatile long suspectUntil;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile boolean closed;
    /** Slot → the Redis node id its shard channels are subscribed on (completed once subscribed). */
    private final Map<Integer, Subscribed> slots = new ConcurrentHashMap<>();
    /** Pub/sub connections (the cluster's and each master's) that have connected at least once. */
    private final Set<RedisChannelHandler<?, ?>> connectedOnce = ConcurrentHashMap.newKeySet();
    private volatile StatefulRedisClusterConnection<byte[], byte[]> commands;
    private volatile StatefulRedisClusterPubSubConnection<byte[], byte[]> notifications;

    private record Subscribed(String redisNode, CompletableFuture<Void> done) { }

    ClusterLink(ClientResources resources, List<String> seeds, String namespace, String node, long connectTimeoutMs,
                long commandTimeoutMs, Consumer<byte[]> onAnnouncement, Runnable onNotificationsBack) {
        this.namespace = namespace;
        this.node = node;
        this.tags = new SlotTags();
        this.onAnnouncement = onAnnouncement;
        this.onMoved = onNotificationsBack;
        this.resources = resources;
        this.client = RedisClusterClient.create(resources, seeds.stream().map(RedisURI::create).toList());
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(commandTimeoutMs)))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(connectTimeoutMs)).build())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // Only a pub/sub connection that comes *back* may have lost announcements. Its
                // first connect (a master's, when this node first listens on one of its slots)
                // has lost nothing, and a catch-up then would re-read parked waiters for no
                // reason, racing a delete: a re-read that runs after it creates the channel anew.
                if (connection instanceof StatefulRedisPubSubConnection<?, ?> && !connectedOnce.add(connection)) {
                    onNotificationsBack.run();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed) suspect(); // a master stopped, or only the network: the topology says which
            }
        });
    }

    /** True when the Redis at {@code seed} says {@code cluster_enabled:1} (nchan asks the same). */
    static boolean isCluster(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.trim().equals("cluster_enabled:1")) return true;
        }
        return false;
    }

    /** What the servers of an upstream with several are (protocol.md §13). */
    enum Seeds { NONE_ANSWERS, CLUSTER, NOT_A_CLUSTER }

    /**
     * Asks each seed whether it is a cluster node, as nchan does: every server that answers
     * must say {@code cluster_enabled:1}. One that does not makes the set invalid (nchan:
     * "more than one master in non-cluster", "cluster and non-cluster servers present").
     */
    static Seeds probe(io.lettuce.core.RedisClient client, List<String> seeds) {
        boolean any = false;
        for (String s : seeds) {
            try (io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect(RedisURI.create(s))) {
                if (!isCluster(c.sync().info("cluster"))) return Seeds.NOT_A_CLUSTER;
                any = true;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "redis seed " + s + " not reachable", e);
            }
        }
        return any ? Seeds.CLUSTER : Seeds.NONE_ANSWERS;
    }

    /** The error logged (and the 503's cause) when several servers are not one cluster. */
    static String notOneCluster(List<String> seeds, String where) {
        StringBuilder names = new StringBuilder();
        for (String s : seeds) {
            RedisURI u = RedisURI.create(s);
            if (names.length() > 0) names.append(", ");
            names.append(u.getHost()).append(':').append(u.getPort());
        }
        return (where == null ? "" : where + ": ") + "nchan_redis_server: several servers in one upstream (" + names
                + ") must be nodes of one Redis Cluster, and one of them is not (INFO cluster_enabled:0); name a"
                + " single Redis alone in its upstream (nchan refuses several masters outside a cluster too);"
                + " its locations answer 503";
    }

    synchronized boolean connect() {
        try {
            if (notifications == null) {
                StatefulRedisClusterPubSubConnection<byte[], byte[]> ps = client.connectPubSub(ByteArrayCodec.INSTANCE);
                ps.addListener(new RedisClusterPubSubAdapter<>() {
                    @Override
                    public void smessage(RedisClusterNode from, byte[] channel, byte[] message) {
                        onAnnouncement.accept(message);
                    }

                    @Override
                    public void sunsubscribed(RedisClusterNode from, byte[] channel, long count) {
                        suspect(); // Redis ended it: the slot moved or its master is a replica now
                    }
                });
                notifications = ps;
            }
            if (commands == null) commands = client.connect(ByteArrayCodec.INSTANCE);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "redis cluster connect failed", e);
            return false;
        }
    }

    boolean connected() {
        return commands != null && notifications != null;
    }

    RedisScriptingAsyncCommands<byte[], byte[]> scripting() {
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        return c == null ? null : c.async();
    }

    StatefulRedisClusterConnection<byte[], byte[]> commands() {
        return commands;
    }

    // ------------------------------------------------------------------ names

    /** The slot tag of a channel whose first key is {@code firstKey}. */
    String tag(byte[] firstKey) {
        return tags.tag(SlotHash.getSlot(firstKey));
    }

    /** The node channel prefix of channel.lua; its {@code "}:"} end tells the script to shard. */
    byte[] nodePrefix(String tag) {
        return utf8(namespace + "pushrelay:node{" + tag + "}:");
    }

    byte[] notifyChannel(String tag) {
        return utf8(namespace + "pushrelay:notify{" + tag + "}");
    }

    byte[] epochKey(String tag) {
        return utf8(namespace + "pushrelay:epoch{" + tag + "}");
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Completes once this node is subscribed to the shard channels of {@code tag}'s slot at
     * the master that owns it; at once when it already is.
     */
    CompletableFuture<Void> subscribed(String tag) {
        int slot = SlotHash.getSlot(tag);
        Subscribed s = slots.get(slot);
        if (s != null && !s.done().isCompletedExceptionally()) return s.done();
        return subscribe(slot, tag);
    }

    private synchronized CompletableFuture<Void> subscribe(int slot, String tag) {
        Subscribed s = slots.get(slot);
        if (s != null && !s.done().isCompletedExceptionally()) return s.done();
        StatefulRedisClusterPubSubConnection<byte[], byte[]> ps = notifications;
        if (ps == null) return CompletableFuture.failedFuture(new BrokerUnavailableException("redis not connected", null));
        RedisClusterNode owner = ps.getPartitions().getPartitionBySlot(slot);
        if (owner == null) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("no master owns slot " + slot, null));
        }
        CompletableFuture<Void> done = ps.getConnectionAsync(owner.getNodeId())
                .thenCompose(c -> c.async().ssubscribe(notifyChannel(tag), nodeChannel(tag)).toCompletableFuture());
        slots.put(slot, new Subscribed(owner.getNodeId(), done));
        return done;
    }

    private byte[] nodeChannel(String tag) {
        return utf8(namespace + "pushrelay:node{" + tag + "}:" + node);
    }

    /**
     * Subscribes again, at its new owner, every slot whose owner changed (a failover or a
     * resharding the topology refresh has seen).
     *
     * @return true when any moved: the broker reads its waiters again from their cursors
     */
    boolean followMoves() {
        StatefulRedisClusterPubSubConnection<byte[], byte[]> ps = notifications;
        if (ps == null) return false;
        boolean moved = false;
        for (Map.Entry<Integer, Subscribed> e : new HashMap<>(slots).entrySet()) {
            RedisClusterNode owner = ps.getPartitions().getPartitionBySlot(e.getKey());
            if (owner != null && !owner.getNodeId().equals(e.getValue().redisNode())) {
                synchronized (this) {
                    slots.remove(e.getKey());
                }
                subscribed(tags.tag(e.getKey()));
                moved = true;
            }
        }
        return moved;
    }

    /**
     * The topology may have changed (a master lost, a shard subscription ended, a script
     * unanswered): ask it again now and every half second for 30 s, following every slot
     * that moved and catching its waiters up.
     */
    void suspect() {
        suspectUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        if (refreshing.compareAndSet(false, true)) refreshIn(0);
    }

    private void refreshIn(long ms) {
        if (closed) return;
        resources.eventExecutorGroup().schedule(this::refresh, ms, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        if (closed || notifications == null) {
            refreshing.set(false);
            return;
        }
        client.refreshPartitionsAsync().whenComplete((v, e) -> {
            try {
                if (followMoves()) onMoved.run();
            } catch (RuntimeException x) {
                LOG.log(Level.FINE, "redis cluster: following moved slots failed", x);
            }
            if (System.nanoTime() < suspectUntil) {
                refreshIn(500);
                return;
            }
            refreshing.set(false);
            if (System.nanoTime() < suspectUntil && refreshing.compareAndSet(false, true)) refreshIn(500);
        });
    }

    /**
     * Subscribes every slot again at the master it was subscribed on (Lettuce brings a
     * node's pub/sub connection back but not its shard channels; SSUBSCRIBE twice is
     * harmless), then waits (at most 2 s in all) until each of those masters counts this
     * node's liveness channel, as {@link RedisBroker} waits on a single Redis.
     *
     * @return false when some slot could not be subscribed yet: the keeper tries again
     */
    boolean resubscribe() {
        StatefulRedisClusterPubSubConnection<byte[], byte[]> ps = notifications;
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        if (ps == null || c == null) return false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        Map<String, String> oneTagPerNode = new HashMap<>();
        for (Map.Entry<Integer, Subscribed> e : slots.entrySet()) {
            String tag = tags.tag(e.getKey());
            String redisNode = e.getValue().redisNode();
            oneTagPerNode.putIfAbsent(redisNode, tag);
            sent.add(ps.getConnectionAsync(redisNode)
                    .thenCompose(n -> n.async().ssubscribe(notifyChannel(tag), nodeChannel(tag)).toCompletableFuture()));
        }
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "redis cluster resubscribe incomplete", e);
            return false;
        }
        for (Map.Entry<String, String> e : oneTagPerNode.entrySet()) {
            while (true) {
                try {
                    Long n = c.getConnection(e.getKey()).sync().pubsubShardNumsub(nodeChannel(e.getValue()))
                            .values().stream().findFirst().orElse(0L);
                    if (n != null && n > 0) break;
                } catch (RuntimeException x) {
                    // that node is still reconnecting: look again
                }
                if (System.nanoTime() > deadline) return false;
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        return true;
    }

    void close() {
        closed = true;
        try {
            var ps = notifications;
            if (ps != null) ps.close();
            var c = commands;
            if (c != null) c.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
