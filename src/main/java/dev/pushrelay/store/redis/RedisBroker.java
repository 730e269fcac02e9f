package dev.pushrelay.store.redis;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.BrokerUnavailableException;
import dev.pushrelay.store.ChannelStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Channels shared by every node on one Redis (protocol.md §13). Each operation is one
 * atomic Lua script ({@code channel.lua}): ids come from Redis's clock, waiters are counted
 * per node, and every publish, kick and delete that has waiters to end (on any node) is
 * announced on one notification channel that each node subscribes to once; this node's
 * {@link WaiterHub} ends its own waiters from those announcements.
 *
 * <p>Lettuce is set to reject commands while disconnected (instead of buffering them) and
 * to time out unanswered ones, so a request that needs Redis fails fast with
 * {@link BrokerUnavailableException} (503); parked waiters stay parked. After the
 * notification connection comes back, every parked waiter is read again from its cursor
 * and counted again, so nothing still buffered is lost or delivered twice.
 */
public final class RedisBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class.getName());
    private static final byte[] OP_PUBLISH = ascii("publish");
    private static final byte[] OP_SUBSCRIBE = ascii("subscribe");
    private static final byte[] OP_POLL = ascii("poll");
    private static final byte[] OP_INFO = ascii("info");
    private static final byte[] OP_DELETE = ascii("delete");
    private static final byte[] OP_CANCEL = ascii("cancel");
    private static final byte[] OP_CURSOR = ascii("cursor");
    private static final byte[] ZERO = ascii("0");
    private static final byte[] ONE = ascii("1");
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] B = ascii("b");
    private static final byte[] F = ascii("f");
    private static final byte[] L = ascii("l");

    private final String namespace;
    private final String node;
    private final byte[] nodeBytes;
    private final byte[] nodePrefix;
    /** Every channel key's start: the namespace, then "pushrelay{" (the hash tag's brace, §13). */
    private final byte[] keyPrefix;
    private final byte[] notifyChannel;
    private final byte[] nodeChannel;
    private final byte[] epochKey;
    private final String script;
    private final String sha;
    private final byte[] shaBytes;
    private final ClientResources resources;
    private final RedisClient client;
    private final LongSupplier budget;
    private final WaiterHub hub = new WaiterHub();
    private final Registrations registrations = new Registrations();
    private final ScheduledExecutorService keeper;
    private final List<String> startNotes = new ArrayList<>();
    private volatile StatefulRedisConnection<byte[], byte[]> commands;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> notifications;
    /** Connections on the server's IO threads, or null: then every command uses {@link #commands}. */
    private final ThreadConnections local;
    private volatile boolean closed;
    /** The Redis is a cluster (INFO's cluster_enabled:1, asked once it first answers); else null. */
    private volatile ClusterLink cluster;
    private volatile boolean modeKnown;
    private final String url;
    /** Every server of the upstream, url first: a cluster's seeds (protocol.md §13). */
    private final List<String> seeds;
    /** file:line of the upstream's second server when there are several, for the refusal. */
    private final String seedsWhere;
    /** Why this broker serves nothing (several servers that are not one cluster), else null. */
    private volatile String refusal;
    private final long connectTimeoutMs;
    private final long commandTimeoutMs;
    /** A waiter could not be read again (Redis away again): the keeper tries once more. */
    private volatile boolean catchUpNeeded;
    /** The first IO thread's subscription to the announcements is confirmed ({@link #ioListening}). */
    private volatile boolean ioHears;
    /** The shared subscription listens to the announcements too ({@link #ioListening}). */
    private volatile boolean backupHears;
    /** The IO thread's subscription was lost while the shared one could not take over. */
    private boolean ioGap;
    private final Clock clock;
    /** The latest announcement heard per channel, for re-registering without a script ({@link #sendPlain}). */
    private final java.util.concurrent.ConcurrentHashMap<String, Recent> recent = new java.util.concurrent.ConcurrentHashMap<>();
    /** How long an announcement vouches for "nothing after it" (and its time for "last requested"). */
    static final long RECENT_MS = 1000;

    /** An announcement as remembered for {@link #sendPlain}: {@code id} null for a kick or delete. */
    private record Recent(long gen, Cursor id, long heardAtMillis) { }

    private RedisBroker(List<String> seeds, String seedsWhere, String namespace, long connectTimeoutMs,
                        long commandTimeoutMs, Clock clock, LongSupplier budget, ThreadConnections local) {
        this.clock = clock;
        this.namespace = namespace;
        this.local = local;
        this.url = seeds.get(0);
        this.seeds = List.copyOf(seeds);
        this.seedsWhere = seedsWhere;
        this.connectTimeoutMs = connectTimeoutMs;
        this.commandTimeoutMs = commandTimeoutMs;
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        this.node = HexFormat.of().formatHex(id);
        this.nodeBytes = ascii(node);
        this.nodePrefix = utf8(namespace + "pushrelay:node:");
        this.keyPrefix = utf8(namespace + "pushrelay{");
        this.nodeChannel = utf8(namespace + "pushrelay:node:" + node);
        this.notifyChannel = utf8(namespace + "pushrelay:notify");
        this.epochKey = utf8(namespace + "pushrelay:epoch");
        this.budget = budget;
        this.script = loadScript();
        this.sha = sha1(script);
        this.shaBytes = ascii(sha);
        // Two cores: two Netty event loops and two computation threads are plenty for two
        // connections; Lettuce would otherwise start one per core of a bigger machine.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(commandTimeoutMs)))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(connectTimeoutMs)).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == notifications && !closed) keeper.execute(RedisBroker.this::reconnected);
            }
        });
        this.keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pushrelay-redis");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to {@code url}; when Redis is not there yet, starts anyway (requests get 503)
     * and keeps trying every second.
     */
    public static RedisBroker open(String url, String namespace, long connectTimeoutMs, long commandTimeoutMs,
                                   Clock clock, LongSupplier budget) {
        return open(url, namespace, connectTimeoutMs, commandTimeoutMs, clock, budget, null);
    }

    /**
     * As {@link #open(String, String, long, long, Clock, LongSupplier)}, with the server's
     * per-IO-thread connections for commands sent from its IO threads ({@code local} may be
     * null; closed with this broker).
     */
    public static RedisBroker open(String url, String namespace, long connectTimeoutMs, long commandTimeoutMs,
                                   Clock clock, LongSupplier budget, ThreadConnections local) {
        return open(List.of(url), null, namespace, connectTimeoutMs, commandTimeoutMs, clock, budget, local);
    }

    /**
     * As {@link #open(String, String, long, long, Clock, LongSupplier, ThreadConnections)}
     * with every server an upstream names ({@code seeds}, the first one first): a cluster is
     * found through any one that answers; several servers that are not one cluster are
     * refused (logged, naming {@code where}; requests get 503), as nchan refuses them.
     */
    public static RedisBroker open(List<String> seeds, String where, String namespace, long connectTimeoutMs,
                                   long commandTimeoutMs, Clock clock, LongSupplier budget, ThreadConnections local) {
        RedisBroker b = new RedisBroker(seeds, where, namespace, connectTimeoutMs, commandTimeoutMs, clock, budget, local);
        String url = seeds.get(0);
        boolean connected = b.connect();
        if (b.refusal != null) {
            b.startNotes.add("[error] " + b.refusal);
        } else if (!connected) {
            b.startNotes.add("[warn] redis " + RedisURI.create(url).getHost() + ":" + RedisURI.create(url).getPort()
                    + " is not reachable; requests for its channels get 503 until it is");
        } else {
            b.startNotes.addAll(b.memoryNotes());
        }
        b.keeper.scheduleWithFixedDelay(b::keepConnected, 1, 1, TimeUnit.SECONDS);
        return b;
    }

    public List<String> startNotes() {
        return startNotes;
    }

    private synchronized boolean connect() {
        if (closed || refusal != null) return false;
        if (!modeKnown && !detectMode()) return false;
        if (cluster != null) return cluster.connect();
        try {
            if (notifications == null) {
                StatefulRedisPubSubConnection<byte[], byte[]> ps = client.connectPubSub(ByteArrayCodec.INSTANCE);
                ps.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        onNotification(message);
                    }
                });
                ps.sync().subscribe(notifyChannel, nodeChannel);
                backupHears = true;
                notifications = ps;
            }
            if (commands == null) {
                commands = client.connect(ByteArrayCodec.INSTANCE);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "redis connect failed", e);
            return false;
        }
    }

    /**
     * A single Redis or a cluster, as nchan tells them apart: by asking the configured server
     * (protocol.md §13). False while it does not answer.
     */
    private boolean detectMode() {
        if (seeds.size() > 1) { // nchan's seeds: every one a node of one cluster (ClusterLink.probe)
            ClusterLink.Seeds found = ClusterLink.probe(client, seeds);
            if (found == ClusterLink.Seeds.NONE_ANSWERS) return false;
            if (found == ClusterLink.Seeds.NOT_A_CLUSTER) {
                refusal = ClusterLink.notOneCluster(seeds, seedsWhere);
                LOG.severe(refusal);
                modeKnown = true;
                return false;
            }
        }
        try (StatefulRedisConnection<String, String> probe = seeds.size() > 1 ? null : client.connect()) {
            if (probe == null || ClusterLink.isCluster(probe.sync().info("cluster"))) {
                cluster = new ClusterLink(resources, seeds, namespace, node, connectTimeoutMs,
                        commandTimeoutMs, this::onNotification, () -> {
                            if (!closed) keeper.execute(this::catchUp);
                        });
            } else if (local != null) {
                // a single Redis: the first IO thread hears the announcements on its own
                // connection; a cluster's come by sharded pub/sub through ClusterLink only
                local.listen(notifyChannel, this::onNotification, up -> {
                    if (closed) return;
                    try {
                        keeper.execute(() -> ioListening(up));
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // closing
                    }
                });
            }
            modeKnown = true;
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "redis not reachable yet", e);
            return false;
        }
    }

    private void keepConnected() {
        long now = clock.millis();
        recent.values().removeIf(r -> now - r.heardAtMillis() > RECENT_MS);
        ClusterLink cl = cluster;
        if (cl != null) {
            if (!cl.connected()) {
                if (connect()) catchUp();
            } else if (cl.followMoves() || catchUpNeeded) {
                catchUpNeeded = false;
                catchUp();
            }
            return;
        }
        if (notifications == null || commands == null) {
            if (connect()) catchUp();
        } else if (catchUpNeeded) {
            catchUpNeeded = false;
            catchUp();
        }
        if (notifications != null && !closed) ioListening(ioHears); // a switch that failed: try again
    }

    /**
     * The shared subscription is back: when the IO thread's is not confirmed, it takes the
     * announcements again first (and reads the waiters again then), else the waiters are read
     * again at once, as before each announcement was heard once.
     */
    private void reconnected() {
        if (!ioHears && !backupHears) {
            ioListening(false);
            if (backupHears) return; // subscribed, and every waiter read again
        }
        catchUp();
    }

    /**
     * Every announcement is heard once (protocol.md §13): by the first IO thread's own
     * subscription while Redis confirms it ({@link ThreadConnections#listen}), else by the
     * node's shared one, which leaves the notification channel once the IO thread's is
     * confirmed and subscribes to it again when that is lost. One of them listens at every
     * moment except between a loss and the next subscription, and waiters are read again
     * from their cursors after each such gap. Runs on the keeper thread only.
     */
    private void ioListening(boolean up) {
        ioHears = up;
        StatefulRedisPubSubConnection<byte[], byte[]> ps = notifications;
        if (ps == null || closed) return;
        try {
            if (up && backupHears) {
                ps.sync().unsubscribe(notifyChannel); // both listened until now: no gap
                backupHears = false;
            } else if (!up && !backupHears) {
                ps.sync().subscribe(notifyChannel);
                backupHears = true;
                catchUp(); // announcements since the IO thread's subscription was lost
            } else if (up && ioGap) {
                catchUp(); // neither listened for a while
            }
            ioGap = false;
        } catch (RuntimeException e) {
            // Redis away: the shared connection's return reads every waiter again; until
            // then the keeper tries the switch once a second
            if (!up) ioGap = true;
        }
    }

    /**
     * push_max_reserved_memory maps to Redis's maxmemory with noeviction (protocol.md §13):
     * evicting a channel's keys would lose messages silently.
     */
    private List<String> memoryNotes() {
        List<String> notes = new ArrayList<>();
        try {
            var sync = cluster != null ? cluster.commands().sync() : commands.sync();
            List<?> policy = sync.configGet("maxmemory-policy").entrySet().stream().map(e -> e.getValue()).toList();
            if (!policy.isEmpty() && !"noeviction".equals(policy.get(0))) {
                notes.add("[warn] redis maxmemory-policy is " + policy.get(0)
                        + ": channels may be evicted; set noeviction (protocol.md §13)");
            }
        } catch (RuntimeException e) {
            // CONFIG may be disabled (renamed) on managed Redis: nothing to check then
        }
        return notes;
    }

    // ------------------------------------------------------------------ keys

    private byte[][] keys(String key) {
        byte[] k = utf8(key);
        return new byte[][] {channelKey(k, 'c'), channelKey(k, 'm'), channelKey(k, 'w'), epochKey};
    }

    /**
     * "NAMESPACEpushrelay{KEY}:X" put together from bytes: every script builds three, and
     * building them as Strings first cost the publish path 5% of its IO thread (JFR).
     */
    private byte[] channelKey(byte[] key, char kind) {
        byte[] p = keyPrefix;
        byte[] out = new byte[p.length + key.length + 3];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(key, 0, out, p.length, key.length);
        int i = p.length + key.length;
        out[i] = '}';
        out[i + 1] = ':';
        out[i + 2] = (byte) kind;
        return out;
    }

    /** The publish script's arguments that come from the location's policy, encoded once per policy. */
    private record PolicyArgs(BufferPolicy policy, byte[] timeout, byte[] max, byte[] deleteOldest, byte[] channelTimeout,
                              byte[] minRecipients, byte[] minMessages) {
        static PolicyArgs of(BufferPolicy policy) {
            long d = policy.deleteOldestReceived() ? policy.minMessages() : -1;
            return new PolicyArgs(policy, ascii(Long.toString(policy.messageTimeoutSeconds())),
                    ascii(Integer.toString(policy.maxMessages())), ascii(Long.toString(d)),
                    ascii(Long.toString(policy.channelTimeoutSeconds())), ascii(Integer.toString(policy.minRecipients())),
                    ascii(Integer.toString(policy.minMessages())));
        }
    }

    /** The last policy published with (locations rarely differ): its arguments are reused. */
    private volatile PolicyArgs lastPolicy;

    private PolicyArgs policyArgs(BufferPolicy policy) {
        PolicyArgs p = lastPolicy;
        if (p == null || !p.policy().equals(policy)) lastPolicy = p = PolicyArgs.of(policy);
        return p;
    }

    private byte[][] args(byte[] op, int extra) {
        byte[][] a = new byte[3 + extra][];
        a[0] = op;
        a[1] = nodePrefix;
        a[2] = notifyChannel;
        return a;
    }

    /**
     * One script run: unavailable Redis fails with {@link BrokerUnavailableException}. From
     * an IO thread with its own connection the script goes there (no thread hand-off);
     * otherwise through the shared Lettuce connection.
     */
    private CompletableFuture<List<Object>> run(String key, byte[][] args) {
        String refused = refusal;
        if (refused != null) return CompletableFuture.failedFuture(new BrokerUnavailableException(refused, null));
        // a cluster routes each channel to its slot's master: the IO threads' own
        // connections (one per thread, to one server) are for a single Redis only
        ClusterLink cl = cluster;
        if (cl != null) return runOnCluster(cl, key, args).whenComplete((r, e) -> {
            if (e != null && unwrap(e) instanceof BrokerUnavailableException) cl.suspect(); // its master may be gone
        });
        ThreadConnections.Connection here = local == null ? null : local.current();
        if (here != null) return runHere(here, keys(key), args);
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c == null) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("redis not connected", null));
        }
        return eval(c.async(), keys(key), args);
    }

    /**
     * On Redis Cluster the node and notification channels and the epoch key are those of the
     * channel's slot; a registration waits until this node listens on that slot (ClusterLink).
     */
    private CompletableFuture<List<Object>> runOnCluster(ClusterLink cl, String key, byte[][] args) {
        RedisScriptingAsyncCommands<byte[], byte[]> c = cl.scripting();
        if (c == null) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("redis not connected", null));
        }
        byte[][] k = keys(key);
        String tag = cl.tag(k[0]);
        k[3] = cl.epochKey(tag);
        args[1] = cl.nodePrefix(tag);
        args[2] = cl.notifyChannel(tag);
        if (args[0] != OP_SUBSCRIBE) return eval(c, k, args);
        return cl.subscribed(tag).exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(unwrap(e))))
                .thenCompose(v -> eval(c, k, args));
    }

    /** EVALSHA, or EVAL when this Redis does not know the script yet. */
    private CompletableFuture<List<Object>> eval(RedisScriptingAsyncCommands<byte[], byte[]> c, byte[][] k, byte[][] args) {
        CompletableFuture<List<Object>> f;
        try {
            f = c.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, k, args).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(e));
        }
        return f.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            if (cause instanceof RedisCommandExecutionException x && String.valueOf(x.getMessage()).startsWith("NOSCRIPT")) {
                return c.<List<Object>>eval(script, ScriptOutputType.MULTI, k, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        }).exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(unwrap(e))));
    }

    private static final byte[] EVALSHA = ascii("EVALSHA");
    private static final byte[] EVAL = ascii("EVAL");

    /** EVALSHA on this thread's connection, EVAL when Redis lost the script (a restart). */
    @SuppressWarnings("unchecked")
    private CompletableFuture<List<Object>> runHere(ThreadConnections.Connection here, byte[][] k, byte[][] args) {
        CompletableFuture<Object> first = new CompletableFuture<>();
        here.send(first, command(EVALSHA, shaBytes, k, args));
        return first.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            if (cause instanceof RedisCommandExecutionException x && String.valueOf(x.getMessage()).startsWith("NOSCRIPT")) {
                CompletableFuture<Object> again = new CompletableFuture<>();
                here.send(again, command(EVAL, utf8(script), k, args));
                return again;
            }
            return CompletableFuture.failedFuture(cause);
        }).handle((r, e) -> {
            if (e != null) throw new CompletionException(unavailable(unwrap(e)));
            return (List<Object>) r;
        });
    }

    private static byte[][] command(byte[] verb, byte[] script, byte[][] k, byte[][] args) {
        byte[][] c = new byte[3 + k.length + args.length][];
        c[0] = verb;
        c[1] = script;
        c[2] = ascii(Integer.toString(k.length));
        System.arraycopy(k, 0, c, 3, k.length);
        System.arraycopy(args, 0, c, 3 + k.length, args.length);
        return c;
    }

    /** A script error stays itself (out of memory, a bug); anything else means Redis is away. */
    private static Throwable unavailable(Throwable e) {
        if (e instanceof RedisCommandExecutionException || e instanceof BrokerUnavailableException) return e;
        return new BrokerUnavailableException("redis unavailable: " + e.getMessage(), e);
    }

    private static boolean outOfMemory(Throwable e) {
        return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("OOM");
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return e;
    }

    // ------------------------------------------------------------------ operations

    @Override
    public CompletionStage<PublishResult> publish(String key, MessageDraft draft, BufferPolicy policy) {
        long d = policy.deleteOldestReceived() ? policy.minMessages() : -1;
        String type = draft.contentType();
        PolicyArgs pa = policyArgs(policy);
        byte[][] a = args(OP_PUBLISH, 10);
        a[3] = utf8(key);
        a[4] = draft.body();
        a[5] = type == null ? EMPTY : latin1(type);
        a[6] = type == null ? ZERO : ONE;
        a[7] = pa.timeout();
        a[8] = pa.max();
        a[9] = pa.deleteOldest();
        a[10] = pa.channelTimeout();
        a[11] = pa.minRecipients(); // §5.5, counted across nodes
        a[12] = pa.minMessages();
        return run(key, a).handle((r, e) -> {
            if (e != null) {
                if (outOfMemory(unwrap(e))) return new PublishResult.Rejected(Refusal.OUT_OF_MEMORY);
                throw new CompletionException(unwrap(e));
            }
            int waiting = (int) (long) (Long) r.get(0);
            ChannelInfo info = new ChannelInfo((int) (long) (Long) r.get(1), (Long) r.get(2), (int) (long) (Long) r.get(3));
            Cursor id = new Cursor((Long) r.get(4), (Long) r.get(5));
            // The publisher's copy: only its id is read; subscribers get the announcement's.
            Message m = new Message(id, draft.body(), type, 0, d < 0 ? Message.NEVER : d);
            return new PublishResult.Published(info, waiting, m);
        });
    }

    @Override
    public CompletionStage<Fetch> subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue,
                                            Subscriber waiter) {
        WaiterHub.Entry entry = new WaiterHub.Entry(waiter, after, policy.channelTimeoutSeconds());
        CompletableFuture<Fetch> out = new CompletableFuture<>();
        register(key, entry, policy.concurrency(), policy.authorizedOnly(), policy.maxSubscribers(), ignoreQueue,
                policy.channelTimeoutSeconds(), false, out);
        return out;
    }

    /**
     * Registers {@code entry} and completes {@code out} with what it became: found, refused,
     * parked (Waiting), or ended by an announcement that overtook the reply. Registrations
     * for one channel go out one batch at a time ({@link Registrations}).
     */
    private void register(String key, WaiterHub.Entry entry, ConcurrencyMode mode, boolean authorizedOnly,
                          int maxSubscribers, boolean ignoreQueue, long channelTimeout, boolean reset,
                          CompletableFuture<Fetch> out) {
        hub.enter(key);
        Registrations.Pending p = new Registrations.Pending(entry, mode, authorizedOnly, maxSubscribers, ignoreQueue,
                channelTimeout, reset, out);
        ThreadConnections.Connection here = local == null || cluster != null ? null : local.current();
        if (here != null) { // the long-polls of this IO turn go in one script
            if (registrations.queue(key, p)) here.afterTurn(() -> {
                List<Registrations.Pending> batch = registrations.drain(key);
                if (batch != null) send(key, batch);
            });
            return;
        }
        List<Registrations.Pending> now = registrations.submit(key, p);
        if (now != null) send(key, now);
    }

    /**
     * Sends a batch of registrations: without a script when every one is a long-poll coming
     * back for more right after the announcement of the message it got ({@link #sendPlain}),
     * else with the subscribe script.
     */
    private void send(String key, List<Registrations.Pending> batch) {
        ThreadConnections.Connection here = local == null || cluster != null ? null : local.current();
        Recent r = here == null ? null : recent.get(key);
        if (r != null && plainFits(r, batch)) sendPlain(here, key, batch, r);
        else sendScript(key, batch);
    }

    /**
     * A plain re-registration judges nothing: broadcast, no subscriber limit, from the message
     * the channel's latest announcement (heard within {@link #RECENT_MS}) carried.
     */
    private boolean plainFits(Recent r, List<Registrations.Pending> batch) {
        if (r.id() == null || clock.millis() - r.heardAtMillis() > RECENT_MS) return false;
        for (Registrations.Pending p : batch) {
            if (p.mode() != ConcurrencyMode.BROADCAST || p.maxSubscribers() != 0 || p.ignoreQueue() || p.reset()
                    || p.entry().gen != 0 || !r.id().equals(p.entry().after)) return false;
        }
        return true;
    }

    private static final byte[] HINCRBY = ascii("HINCRBY");
    private static final byte[] HSET = ascii("HSET");
    private static final byte[] HGET = ascii("HGET");
    private static final byte[] PERSIST = ascii("PERSIST");
    private static final byte[] SEEN = ascii("seen");
    private static final byte[] G = ascii("g");

    /**
     * Re-registers long-polls that got the channel's latest message with plain pipelined
     * commands instead of a script (protocol.md §13): their count goes to this node's field
     * of that message's generation, "last requested" to the counts' hash, the channel's keys
     * lose their idle expiry (a watched channel is never collected, §6.2), and the generation
     * is read last. If it is still the announced one, nothing was published, kicked or
     * deleted in between (each raises it), so nothing is stored after their cursor and they
     * were counted under it: they park under it, exactly as the script would park them. If
     * it moved, their count landed in an old generation's field that no script counts, and
     * the batch goes through the script.
     */
    private void sendPlain(ThreadConnections.Connection here, String key, List<Registrations.Pending> batch, Recent r) {
        byte[][] k = keys(key);
        here.send(new CompletableFuture<>(), HINCRBY, k[2], utf8(node + ":" + r.gen()), ascii(Integer.toString(batch.size())));
        here.send(new CompletableFuture<>(), HSET, k[2], SEEN, ascii(Long.toString(r.id().time())));
        here.send(new CompletableFuture<>(), PERSIST, k[0]);
        here.send(new CompletableFuture<>(), PERSIST, k[1]);
        here.send(new CompletableFuture<>(), PERSIST, k[2]);
        CompletableFuture<Object> gen = new CompletableFuture<>();
        here.send(gen, HGET, k[0], G);
        gen.whenComplete((v, e) -> {
            if (e == null && v instanceof byte[] b && Long.toString(r.gen()).equals(new String(b, StandardCharsets.US_ASCII))) {
                List<Registrations.Pending> next = registrations.next(key);
                if (next != null) send(key, next);
                for (Registrations.Pending p : batch) parked(key, p, r.gen());
            } else if (e == null) {
                sendScript(key, batch);
            } else {
                List<Registrations.Pending> next = registrations.next(key);
                if (next != null) send(key, next);
                for (Registrations.Pending p : batch) failed(key, p, e);
            }
        });
    }

    private void failed(String key, Registrations.Pending p, Throwable e) {
        hub.leave(key);
        if (outOfMemory(unwrap(e))) p.out().complete(new Fetch.Refused(Refusal.OUT_OF_MEMORY));
        else p.out().completeExceptionally(unwrap(e));
    }

    /** One subscribe script for a batch; when it answers, the channel's next batch goes out. */
    private void sendScript(String key, List<Registrations.Pending> batch) {
        byte[][] a = args(OP_SUBSCRIBE, 3 + 6 * batch.size());
        a[3] = utf8(key);
        a[4] = nodeBytes;
        a[5] = ZERO;
        int i = 6;
        for (Registrations.Pending p : batch) {
            if (p.reset()) a[5] = ONE;
            a[i++] = cursorArg(p.entry().after);
            a[i++] = p.mode() == ConcurrencyMode.FIRST ? F : p.mode() == ConcurrencyMode.LAST ? L : B;
            a[i++] = p.authorizedOnly() ? ONE : ZERO;
            a[i++] = ascii(Integer.toString(p.maxSubscribers()));
            a[i++] = p.ignoreQueue() ? ONE : ZERO;
            a[i++] = ascii(Long.toString(p.channelTimeout()));
        }
        run(key, a).whenComplete((r, e) -> {
            List<Registrations.Pending> next = registrations.next(key);
            if (next != null) send(key, next);
            Message previous = null;
            for (int n = 0; n < batch.size(); n++) {
                Registrations.Pending p = batch.get(n);
                if (e != null) {
                    failed(key, p, e);
                    continue;
                }
                @SuppressWarnings("unchecked")
                List<Object> one = (List<Object>) r.get(n);
                String kind = str(one.get(0));
                if ("f".equals(kind)) previous = message(one);
                registered(key, p, kind, one, previous);
            }
        });
    }

    /** What one waiter's answer in a batch makes of it. */
    private void registered(String key, Registrations.Pending p, String kind, List<Object> r, Message found) {
        WaiterHub.Entry entry = p.entry();
        CompletableFuture<Fetch> out = p.out();
        switch (kind) {
            case "f", "=" -> {
                hub.leave(key);
                out.complete(new Fetch.Found(found));
            }
            case "r" -> {
                hub.leave(key);
                out.complete(new Fetch.Refused(Refusal.valueOf(str(r.get(1)))));
            }
            default -> parked(key, p, (Long) r.get(1));
        }
    }

    /** Redis counted {@code p} under {@code gen}: park it, unless an announcement already ended it. */
    private void parked(String key, Registrations.Pending p, long gen) {
        WaiterHub.Entry entry = p.entry();
        CompletableFuture<Fetch> out = p.out();
        WaiterHub.Outcome o = hub.registered(key, entry, gen);
        if (o instanceof WaiterHub.Outcome.Parked) {
            if (entry.cancelled) cancel(key, entry);
            out.complete(new Fetch.Waiting(() -> cancel(key, entry)));
        } else if (o instanceof WaiterHub.Outcome.Ended ended) {
            out.complete(asFetch(ended.by()));
        } else { // missed: read again from the cursor, already admitted
            register(key, entry, ConcurrencyMode.BROADCAST, false, 0, false, p.channelTimeout(), false, out);
        }
    }

    private static Fetch asFetch(WaiterHub.Event ev) {
        return switch (ev.kind()) {
            case PUBLISH -> new Fetch.Found(ev.message());
            case KICK -> new Fetch.Refused(Refusal.CONFLICT);
            case DELETE -> new Fetch.Refused(Refusal.GONE);
        };
    }

    /** Subscription.cancel(): leaves the hub and, if it was still counted, Redis's count. */
    private void cancel(String key, WaiterHub.Entry entry) {
        long gen = hub.cancel(key, entry);
        if (gen < 0) return;
        ThreadConnections.Connection here = local == null || cluster != null ? null : local.current();
        if (here == null) {
            sendCancel(key, gen, 1);
            return;
        }
        // the long-polls of a channel that go in one IO turn (clients leaving together after a
        // fan-out, a mass disconnect) leave Redis's count in one script
        String slot = key + '\n' + gen;
        long[] created = {0};
        cancels.compute(slot, (k, n) -> {
            if (n == null) {
                created[0] = 1;
                return 1L;
            }
            return n + 1;
        });
        if (created[0] == 1) here.afterTurn(() -> {
            Long n = cancels.remove(slot);
            if (n != null) sendCancel(key, gen, n);
        });
    }

    /** Cancels gathered per channel and generation until the end of the IO turn. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> cancels = new java.util.concurrent.ConcurrentHashMap<>();

    private void sendCancel(String key, long gen, long n) {
        byte[][] a = args(OP_CANCEL, 3);
        a[3] = nodeBytes;
        a[4] = ascii(Long.toString(gen));
        a[5] = ascii(Long.toString(n));
        run(key, a); // best effort: a count left behind ends with the next publish or catch-up
    }

    @Override
    public CompletionStage<Fetch> poll(String key, Cursor after, long channelTimeoutSeconds) {
        byte[][] a = args(OP_POLL, 3);
        a[3] = utf8(key);
        a[4] = cursorArg(after);
        a[5] = ascii(Long.toString(channelTimeoutSeconds));
        return run(key, a).handle((r, e) -> {
            if (e != null) {
                if (outOfMemory(unwrap(e))) return new Fetch.Refused(Refusal.OUT_OF_MEMORY);
                throw new CompletionException(unwrap(e));
            }
            return "f".equals(str(r.get(0))) ? new Fetch.Found(message(r)) : Fetch.NOT_YET;
        });
    }

    @Override
    public CompletionStage<Optional<ChannelInfo>> info(String key, long channelTimeoutSeconds) {
        byte[][] a = args(OP_INFO, 2);
        a[3] = utf8(key);
        a[4] = ascii(Long.toString(channelTimeoutSeconds));
        return run(key, a).thenApply(RedisBroker::info);
    }

    @Override
    public CompletionStage<Optional<ChannelInfo>> delete(String key) {
        byte[][] a = args(OP_DELETE, 1);
        a[3] = utf8(key);
        return run(key, a).thenApply(RedisBroker::info);
    }

    /** §14.5, §14.7: one script on the channel's Redis (channel.lua's "cursor"). */
    @Override
    public CompletionStage<Cursor[]> cursorFacts(String key, int nth) {
        byte[][] a = args(OP_CURSOR, 1);
        a[3] = ascii(Integer.toString(nth));
        return run(key, a).thenApply(r -> {
            String before = str(r.get(1));
            return new Cursor[] {id(str(r.get(0))),
                    before.equals("oldest") ? Cursor.OLDEST : id(before)};
        });
    }

    /** "time-tag" → its cursor; "" → null. */
    private static Cursor id(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) return null;
        return new Cursor(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }

    private static Optional<ChannelInfo> info(List<Object> r) {
        if (!"i".equals(str(r.get(0)))) return Optional.empty();
        return Optional.of(new ChannelInfo((int) (long) (Long) r.get(1), (Long) r.get(2), (int) (long) (Long) r.get(3)));
    }

    /** The node's copy of a message lives only as long as its deliveries: nothing to charge. */
    @Override
    public ChannelStore.Charge chargeEncoding(String key, Message m, long bytes) {
        return ChannelStore.Charge.NOT_STORED;
    }

    @Override
    public long budget() {
        return budget.getAsLong();
    }

    @Override
    public List<Subscriber> waiting() {
        return hub.waiting();
    }

    /** Long-polls parked on this node for this Redis. */
    public int parked() {
        return hub.size();
    }

    // ------------------------------------------------------------------ notifications

    /** An announcement from channel.lua: ends this node's waiters registered before it. */
    private void onNotification(byte[] msg) {
        String key = Announcement.key(msg);
        // no waiter here, parked or registering: nothing to end, nothing to remember
        if (key == null || !hub.watching(key)) return;
        Announcement a = Announcement.parse(msg);
        if (a == null) return;
        WaiterHub.Event ev = a.event();
        Recent heard = new Recent(ev.gen(), ev.kind() == WaiterHub.Kind.PUBLISH ? ev.message().id() : null, clock.millis());
        recent.merge(a.key(), heard, (old, now) -> now.gen() >= old.gen() ? now : old);
        hub.announce(a.key(), ev, RedisBroker::end, this::catchUp);
    }

    private static void end(WaiterHub.Entry e, WaiterHub.Event ev) {
        try {
            switch (ev.kind()) {
                case PUBLISH -> e.subscriber.deliver(ev.message());
                case KICK -> e.subscriber.end(Refusal.CONFLICT);
                case DELETE -> e.subscriber.end(Refusal.GONE);
            }
        } catch (RuntimeException x) {
            LOG.log(Level.WARNING, "subscriber failed to end", x);
        }
    }

    /** Reads every parked waiter again from its cursor (after notifications may have been lost). */
    private void catchUp() {
        awaitResubscribed();
        recent.clear(); // announcements may have been lost: the plain path waits for the next one
        for (String key : hub.keys()) {
            List<WaiterHub.Entry> all = hub.takeAllForCatchUp(key);
            boolean first = true;
            for (WaiterHub.Entry e : all) {
                readAgain(key, e, first);
                first = false;
            }
        }
    }

    /**
     * Waits (on the keeper thread, at most 2 s) until Redis sees this node's pub/sub channel
     * again: Lettuce resubscribes after it reports the connection, and a waiter counted or
     * read again before that would be dropped from the counts or miss an announcement.
     */
    private void awaitResubscribed() {
        ClusterLink cl = cluster;
        if (cl != null) {
            if (!cl.resubscribe()) catchUpNeeded = true;
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!closed && System.nanoTime() < deadline) {
            StatefulRedisConnection<byte[], byte[]> c = commands;
            try {
                if (c != null) {
                    for (Long n : c.sync().pubsubNumsub(nodeChannel).values()) {
                        if (n != null && n > 0) return;
                    }
                }
            } catch (RuntimeException e) {
                // the command connection is still reconnecting: look again
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** One waiter that missed an announcement: read again from its cursor. */
    private void catchUp(String key, WaiterHub.Entry e) {
        readAgain(key, e, false);
    }

    /** The hub counts {@code e} as in flight; resolve it against Redis again. */
    private void readAgain(String key, WaiterHub.Entry e, boolean reset) {
        hub.leave(key); // register() enters again
        CompletableFuture<Fetch> out = new CompletableFuture<>();
        register(key, e, ConcurrencyMode.BROADCAST, false, 0, false, e.channelTimeout, reset, out);
        out.whenComplete((f, x) -> {
            if (x != null) {
                // Redis away again: park it as it was; the keeper reads it again in a second.
                catchUpNeeded = true;
                hub.enter(key);
                if (hub.registered(key, e, e.gen) instanceof WaiterHub.Outcome.Ended ended) end(e, ended.by());
                return;
            }
            if (f instanceof Fetch.Found found) {
                e.subscriber.deliver(found.message());
            } else if (f instanceof Fetch.Refused refused) {
                if (refused.why() == Refusal.GONE || refused.why() == Refusal.CONFLICT) e.subscriber.end(refused.why());
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    private static Message message(List<Object> r) {
        String id = str(r.get(1));
        int dash = id.indexOf('-');
        Cursor c = new Cursor(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
        byte[] body = (byte[]) r.get(2);
        String type = ((Long) r.get(4)) == 1 ? new String((byte[]) r.get(3), StandardCharsets.ISO_8859_1) : null;
        long d = (Long) r.get(6);
        return new Message(c, body, type, (Long) r.get(5), d < 0 ? Message.NEVER : d);
    }

    /** XRANGE's exclusive start after the cursor; "-" (from the oldest) before every id. */
    private static byte[] cursorArg(Cursor after) {
        if (after.time() < 0 || after.time() == 0 && after.tag() == 0) return ascii("-");
        if (after.tag() < 0) return ascii(after.time() + "-0");
        return ascii("(" + after.time() + "-" + after.tag());
    }


    private static String str(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String loadScript() {
        try (InputStream in = RedisBroker.class.getResourceAsStream("channel.lua")) {
            if (in == null) throw new IllegalStateException("channel.lua missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void close() {
        closed = true;
        keeper.shutdownNow();
        if (local != null) local.close();
        try {
            var ps = notifications;
            if (ps != null) ps.close();
            var c = commands;
            if (c != null) c.close();
            var cl = cluster;
            if (cl != null) cl.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
