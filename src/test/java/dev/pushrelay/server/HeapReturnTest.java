package dev.pushrelay.server;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule that asks for a collection only when load dropped and the heap holds garbage worth returning. */
class HeapReturnTest {

    private static final long MB = 1L << 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A heap whose reading the test sets; System.gc() is a major collection that leaves {@code liveAfterGc}. */
    private static final class FakeHeap implements HeapReturn.Heap {
        long used;
        long collections;
        long majors;
        long liveAfterGc;
        long allocated;
        long now;
        int asked;

        @Override
        public long used() {
            return used;
        }

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public long majors() {
            return majors;
        }

        @Override
        public long allocated() {
            return allocated;
        }

        /** The application allocates {@code bytes}. */
        void allocate(long bytes) {
            allocated += bytes;
            used += bytes;
        }

        /** A young collection: leaves {@code leaves} (old garbage included). */
        void minor(long leaves) {
            collections += 2; // a cycle and a pause bean
            used = leaves;
        }

        void major(long leaves) {
            collections += 2;
            majors += 2;
            used = leaves;
        }

        void gc() {
            asked++;
            major(liveAfterGc);
        }
    }

    private final FakeHeap heap = new FakeHeap();

    private HeapReturn rule() {
        return new HeapReturn(heap, heap::gc, () -> heap.now);
    }

    /** Ticks once a second for {@code seconds}; how many collections it asked for. */
    private int run(HeapReturn rule, int seconds) {
        int before = heap.asked;
        for (int i = 0; i < seconds; i++) {
            heap.now += SECOND;
            rule.tick();
        }
        return heap.asked - before;
    }

    @Test
    void aHeapThatNeitherAllocatesNorCollectsIsLeftAlone() {
        heap.used = 120 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        heap.allocate(10 * MB);
        assertEquals(0, run(rule, 600));
    }

    @Test
    void growthAfterTheLastCollectionIsCollectedOnceNoMajorRanForFiveSeconds() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        assertEquals(0, run(rule, 2));
        heap.allocate(40 * MB); // a burst's garbage, then nothing
        assertEquals(0, run(rule, 5));
        assertEquals(1, run(rule, 1), "the burst left the 5 s window, 40 MB grown");
        assertEquals(0, run(rule, 600), "the collection left 20 MB: nothing more to return");
    }

    @Test
    void noCollectionIsAskedForWhileTheJvmRunsMajorCyclesOnItsOwn() {
        heap.used = 20 * MB;
        HeapReturn rule = rule();
        for (int i = 0; i < 60; i++) {
            heap.allocate(100 * MB);
            if (i % 3 == 0) heap.major(20 * MB);
            else heap.minor(30 * MB);
            heap.now += SECOND;
            assertFalse(rule.tick());
        }
    }

    @Test
    void youngCollectionsSinceTheLastMajorOneAreFollowedByAMajorOne() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        // 15,000 connections come and go; young collections promote them, none frees them
        heap.allocate(200 * MB);
        heap.minor(120 * MB);
        assertEquals(1, run(rule, 5), "5 s after, the rate is a fifth of its first second's");
        assertEquals(20 * MB, heap.used);
        assertEquals(0, run(rule, 600), "nothing collected since: nothing asked");
    }

    @Test
    void aSteadyAllocatorGetsNoMajorCycleUntilItsLoadDrops() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        // a fan-out: 60-140 MB a second, a young collection every second
        long[] perSecond = {100, 140, 60, 120, 80, 100, 130, 70};
        for (int i = 0; i < 600; i++) {
            heap.allocate(perSecond[i % perSecond.length] * MB);
            heap.minor(30 * MB);
            heap.now += SECOND;
            assertFalse(rule.tick(), "second " + i);
        }
        // the fan-out ends; a canary keeps allocating 15 MB/s, a young collection every 2 s
        int asked = 0;
        for (int i = 0; i < 600; i++) {
            heap.allocate(15 * MB);
            if (i % 2 == 1) heap.minor(30 * MB);
            heap.now += SECOND;
            if (rule.tick()) {
                asked++;
                assertTrue(i < 6, "asked " + i + " s after the fan-out ended");
            }
        }
        assertEquals(1, asked);
    }

    @Test
    void aSlowCycleIsNotRepeatedBeforeTwentyTimesItsDuration() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 120 * MB; // 10,000 streams stay
        HeapReturn rule = new HeapReturn(heap, () -> {
            heap.now += 2 * SECOND; // and make a cycle take 2 s
            heap.gc();
        }, () -> heap.now);
        heap.allocate(200 * MB);
        heap.minor(130 * MB);
        assertEquals(1, run(rule, 5));
        long last = heap.now;
        // bursts of 10 s, then 10 s of nothing: the load drops every 20 s
        int asked = 0;
        for (int i = 0; i < 190; i++) {
            if (i % 20 < 10) heap.allocate(300 * MB);
            heap.minor(130 * MB);
            heap.now += SECOND;
            if (rule.tick()) {
                asked++;
                // 40 s of quiet after the last cycle's end, which came 2 s after its start
                assertTrue(heap.now - last >= 42 * SECOND, "asked " + (heap.now - last) / SECOND + " s after the last");
                last = heap.now;
            }
        }
        assertTrue(asked >= 3, "asked " + asked);
    }

    @Test
    void onlyZgcCountsAsConcurrentByName() {
        assertTrue(HeapReturn.concurrentByName(List.of("ZGC Minor Cycles", "ZGC Minor Pauses", "ZGC Major Cycles", "ZGC Major Pauses")));
        assertTrue(HeapReturn.concurrentByName(List.of("ZGC Cycles", "ZGC Pauses")));
        assertFalse(HeapReturn.concurrentByName(List.of("PS Scavenge", "PS MarkSweep")));
        assertFalse(HeapReturn.concurrentByName(List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation")));
        assertTrue(HeapReturn.isMajor("ZGC Major Cycles"));
        assertFalse(HeapReturn.isMajor("ZGC Minor Pauses"));
        assertTrue(HeapReturn.isMajor("ZGC Cycles"));
    }
}
