package dev.pushrelay;

/**
 * protocol.md §6.3: stored messages must never exhaust the JVM heap, so the reserved-memory
 * budget may take at most half of it (the rest is for connections, parked requests,
 * bodies being read and responses being written).
 */
final class HeapCheck {

    private HeapCheck() {
    }

    /** A one-line reason when {@code budget} does not fit {@code maxHeap}, else null. */
    static String problem(long budget, long maxHeap) {
        if (maxHeap == Long.MAX_VALUE || budget <= maxHeap / 2) return null;
        return "push_max_reserved_memory " + mib(budget) + " is more than half of the JVM heap (" + mib(maxHeap)
                + "); raise the heap (JAVA_OPTS=-Xmx...) to at least " + mib(budget * 2) + " or lower the budget";
    }

    private static String mib(long bytes) {
        return (bytes + (1 << 20) - 1) / (1 << 20) + "M";
    }
}
