package dev.pushrelay.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a concurrent major collection when the JVM left garbage it will not collect soon
 * (README "Performance: the JVM"). Generational ZGC collects young objects when allocation
 * needs it and the old generation much less often; after a flood or a mass departure the
 * objects that died (connections, parked long-polls, promoted long ago) stay, and so does the
 * RSS that ZUncommitDelay would return. A major cycle is asked for when no major cycle ran for
 * {@link #QUIET_NANOS}, nor for {@link #BUDGET} times as long as our last one took (so a slow
 * cycle, a large live set, is not repeated every 5 s), the load dropped, and either
 * <ul>
 * <li>the JVM ran young collections since the last major one (objects were promoted, and may
 *     have died since in the old generation, where nothing looks), or
 * <li>the heap grew by {@link #THRESHOLD_BYTES} since the last collection of any kind (an idle
 *     JVM starts none of its own).
 * </ul>
 * "The load dropped": the bytes allocated over the last {@link #WINDOW_TICKS} checks, per
 * second, are at most 1/{@link #DROP} of the busiest such window since the last major cycle.
 * Under steady traffic young collections run all the time, and a major cycle every 5 s only
 * cost CPU per delivery (BENCHMARKS.md); the memory worth returning is what a burst, a flood
 * or departed clients left once they are over, which is when the allocation rate falls.
 * A server that neither allocates nor collects is left alone.
 *
 * <p>Only where {@link System#gc()} is concurrent (ZGC; G1 or Shenandoah with
 * ExplicitGCInvokesConcurrent): under the parallel collector it would stop every thread.
 * Checked once a second on a daemon thread of its own, because the call waits for the cycle.
 */
final class HeapReturn implements AutoCloseable {

    /** No major collection for this long at least. */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Young garbage worth a cycle on an otherwise idle JVM (ZGC's own proactive rule waits for 10% of the soft max heap). */
    static final long THRESHOLD_BYTES = 32L << 20;
    /** Our cycles are at least this many times their own duration apart: 1/20 of the time at most. */
    static final long BUDGET = 20;
    /**
     * The allocation rate is read over this many checks (5 s): a fan-out's rate varies from
     * one second to the next as its messages complete (BENCHMARKS.md, issue 13 `heapgate`).
     */
    static final int WINDOW_TICKS = 5;
    /** The load dropped when the rate is at most the busiest window's divided by this. */
    static final long DROP = 2;
    /** A busiest window below this rate (bytes per second) is no load that could drop. */
    static final long MIN_PEAK_RATE = 1L << 20;
    private static final long PERIOD_MS = 1000;

    /** What the rule reads from the JVM: bytes of heap in use, and collections so far. */
    interface Heap {
        long used();

        /** Collections of any kind so far. */
        long collections();

        /** Collections of the whole heap (old generation included) so far. */
        long majors();

        /** Bytes allocated by all threads so far; negative when the JVM cannot tell. */
        long allocated();
    }

    private final Heap heap;
    private final Runnable collect;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService timer;
    private long seenCollections;
    private long seenMajors;
    private long lastMajorAt;
    /** Heap in use when the last collection was seen (an estimate of what it left). */
    private long usedAfterLast;
    /** Whether young collections ran since the last major one. */
    private boolean youngSinceMajor;
    /** How long our last cycle took. */
    private long lastOursNanos;
    /** {@link Heap#allocated()} and the time at each of the last {@link #WINDOW_TICKS} checks, oldest first. */
    private final long[] allocatedAt = new long[WINDOW_TICKS];
    private final long[] tickAt = new long[WINDOW_TICKS];
    /** Bytes per second of the busiest window since the last major collection. */
    private double peakRate;

    HeapReturn(Heap heap, Runnable collect, LongSupplier nanoTime) {
        this(heap, collect, nanoTime, null);
    }

    private HeapReturn(Heap heap, Runnable collect, LongSupplier nanoTime, ScheduledExecutorService timer) {
        this.heap = heap;
        this.collect = collect;
        this.nanoTime = nanoTime;
        this.timer = timer;
        this.seenCollections = heap.collections();
        this.seenMajors = heap.majors();
        this.lastMajorAt = nanoTime.getAsLong();
        this.usedAfterLast = heap.used();
        Arrays.fill(allocatedAt, heap.allocated());
        Arrays.fill(tickAt, lastMajorAt);
    }

    /**
     * Runs the rule every second when this JVM's explicit collection is concurrent; otherwise
     * nothing runs (no thread). Close to stop.
     */
    static HeapReturn start() {
        Heap jvm = jvmHeap();
        if (!explicitGcIsConcurrent()) return new HeapReturn(jvm, () -> { }, System::nanoTime);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pushrelay-heap-return");
            t.setDaemon(true);
            return t;
        });
        HeapReturn h = new HeapReturn(jvm, System::gc, System::nanoTime, timer);
        timer.scheduleWithFixedDelay(h::tickSafely, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        return h;
    }

    /** Whether a timer runs (the JVM's System.gc() is concurrent). */
    boolean running() {
        return timer != null;
    }

    /** One check; true when it asked for a collection. */
    boolean tick() {
        long now = nanoTime.getAsLong();
        long count = heap.collections();
        long majors = heap.majors();
        long used = heap.used();
        boolean dropped = loadDropped(now, heap.allocated());
        if (count != seenCollections) {
            youngSinceMajor |= count - majors != seenCollections - seenMajors;
            seenCollections = count;
            usedAfterLast = used;
        }
        if (majors != seenMajors) {
            seenMajors = majors;
            sinceMajor(now);
            return false;
        }
        if (now - lastMajorAt < Math.max(QUIET_NANOS, BUDGET * lastOursNanos)) return false;
        if (!youngSinceMajor && used - usedAfterLast < THRESHOLD_BYTES) return false;
        if (!dropped) return false;
        collect.run();
        long end = nanoTime.getAsLong();
        lastOursNanos = end - now;
        seenCollections = heap.collections();
        seenMajors = heap.majors();
        sinceMajor(end);
        usedAfterLast = heap.used();
        return true;
    }

    /** Forgets the garbage and the load seen before a major collection that ended at {@code at}. */
    private void sinceMajor(long at) {
        lastMajorAt = at;
        youngSinceMajor = false;
        peakRate = 0;
    }

    /**
     * Records this check's allocation count; whether the rate over the last window fell to
     * 1/{@link #DROP} of the busiest window since the last major collection (true when the JVM
     * does not count allocations, the rule then being the one without this gate).
     */
    private boolean loadDropped(long now, long allocated) {
        long oldestAllocated = allocatedAt[0];
        long oldestAt = tickAt[0];
        System.arraycopy(allocatedAt, 1, allocatedAt, 0, WINDOW_TICKS - 1);
        System.arraycopy(tickAt, 1, tickAt, 0, WINDOW_TICKS - 1);
        allocatedAt[WINDOW_TICKS - 1] = allocated;
        tickAt[WINDOW_TICKS - 1] = now;
        if (allocated < 0 || oldestAllocated < 0) return true;
        if (now <= oldestAt) return false;
        double rate = (allocated - oldestAllocated) * 1e9 / (now - oldestAt);
        peakRate = Math.max(peakRate, rate);
        return peakRate >= MIN_PEAK_RATE && rate * DROP <= peakRate;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // A failed check must not cancel the schedule; the next one retries.
            Logger.getLogger(HeapReturn.class.getName()).log(Level.WARNING, "heap check failed", e);
        }
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }

    private static Heap jvmHeap() {
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        List<GarbageCollectorMXBean> majors = collectors.stream().filter(c -> isMajor(c.getName())).toList();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return new Heap() {
            @Override
            public long used() {
                return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            }

            @Override
            public long collections() {
                return count(collectors);
            }

            @Override
            public long majors() {
                return count(majors);
            }

            @Override
            public long allocated() {
                return allocatedBytes(threads);
            }
        };
    }

    private static long allocatedBytes(ThreadMXBean threads) {
        if (!(threads instanceof com.sun.management.ThreadMXBean hotspot)) return -1;
        try {
            return hotspot.getTotalThreadAllocatedBytes();
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static long count(List<GarbageCollectorMXBean> collectors) {
        long n = 0;
        for (GarbageCollectorMXBean c : collectors) n += Math.max(0, c.getCollectionCount());
        return n;
    }

    /**
     * Generational ZGC's beans are "ZGC Minor/Major Cycles/Pauses"; a collector without
     * generations (ZGC before 23 without -XX:+ZGenerational, Shenandoah) collects the whole heap
     * every cycle, and G1's young collections are counted as major here (so only the growth rule
     * applies to it).
     */
    static boolean isMajor(String collectorName) {
        return !collectorName.contains("Minor");
    }

    /** ZGC's System.gc() is a concurrent cycle; G1's and Shenandoah's are with ExplicitGCInvokesConcurrent. */
    static boolean explicitGcIsConcurrent() {
        if (vmFlag("DisableExplicitGC")) return false;
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList();
        return concurrentByName(names) || (vmFlag("ExplicitGCInvokesConcurrent") && !parallelOrSerial(names));
    }

    static boolean concurrentByName(List<String> collectorNames) {
        return collectorNames.stream().anyMatch(n -> n.startsWith("ZGC"));
    }

    private static boolean parallelOrSerial(List<String> names) {
        return names.stream().anyMatch(n -> n.startsWith("PS ") || n.equals("Copy") || n.equals("MarkSweepCompact"));
    }

    private static boolean vmFlag(String name) {
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return hotspot != null && Boolean.parseBoolean(hotspot.getVMOption(name).getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
