package dev.pushrelay.server;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule that asks for a collection only when a quiet heap holds garbage worth returning. */
class HeapReturnTest {

    private static final long MB = 1L << 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A heap whose reading the test sets; System.gc() is a major collection that leaves {@code liveAfterGc}. */
    private static final class FakeHeap implements HeapReturn.Heap {
        long used;
        long collections;
        long majors;
        long liveAfterGc;
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
        heap.used += 10 * MB;
        assertEquals(0, run(rule, 600));
    }

    @Test
    void growthAfterTheLastCollectionIsCollectedOnceNoMajorRanForFiveSeconds() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        assertEquals(0, run(rule, 2));
        heap.used += 40 * MB; // a burst's garbage, then nothing
        assertEquals(0, run(rule, 2));
        assertEquals(1, run(rule, 1), "5 s since start, 40 MB grown");
        assertEquals(0, run(rule, 600), "the collection left 20 MB: nothing more to return");
    }

    @Test
    void noCollectionIsAskedForWhileTheJvmRunsMajorCyclesOnItsOwn() {
        heap.used = 20 * MB;
        HeapReturn rule = rule();
        for (int i = 0; i < 60; i++) {
            heap.used += 100 * MB;
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
        heap.minor(120 * MB);
        assertEquals(1, run(rule, 5));
        assertEquals(20 * MB, heap.used);
        assertEquals(0, run(rule, 600), "nothing collected since: nothing asked");
    }

    @Test
    void aSteadyAllocatorGetsAMajorCycleEveryFiveSecondsWhenCyclesAreCheap() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 20 * MB;
        HeapReturn rule = rule();
        int asked = 0;
        for (int i = 0; i < 60; i++) {
            heap.minor(30 * MB);
            heap.now += SECOND;
            if (rule.tick()) asked++;
        }
        assertEquals(12, asked);
    }

    @Test
    void aSlowCycleIsNotRepeatedBeforeTwentyTimesItsDuration() {
        heap.used = 20 * MB;
        heap.liveAfterGc = 120 * MB; // 10,000 streams stay
        HeapReturn rule = new HeapReturn(heap, () -> {
            heap.now += 2 * SECOND; // and make a cycle take 2 s
            heap.gc();
        }, () -> heap.now);
        heap.minor(130 * MB);
        assertEquals(1, run(rule, 5));
        int asked = 0;
        for (int i = 0; i < 190; i++) {
            heap.minor(130 * MB);
            heap.now += SECOND;
            if (rule.tick()) asked++;
        }
        // every 40 s of quiet plus the 2 s of the cycle itself
        assertEquals(4, asked);
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
