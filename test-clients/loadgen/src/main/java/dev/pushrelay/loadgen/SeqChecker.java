package dev.pushrelay.loadgen;

/**
 * Per-subscriber correctness check: the subscriber must see sequence numbers
 * 1..expected each exactly once and in increasing order.
 * <ul>
 * <li>duplicate: a sequence number seen before;</li>
 * <li>reordered: a sequence number lower than one already seen (and not seen before);</li>
 * <li>lost: sequence numbers never seen (known once the run ends);</li>
 * <li>out of range: &lt; 1 or &gt; expected.</li>
 * </ul>
 */
final class SeqChecker {
    private final int expected;
    private final long[] seen;
    private int received;
    private int maxSeen;
    private int duplicates;
    private int reordered;
    private int outOfRange;

    SeqChecker(int expected) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected < 0");
        }
        this.expected = expected;
        this.seen = new long[Math.max(1, (expected + 63) >>> 6)];
    }

    /** Records {@code seq}; returns true if it is the first time this (valid) sequence number is seen. */
    boolean accept(int seq) {
        if (seq < 1 || seq > expected) {
            outOfRange++;
            return false;
        }
        int i = seq - 1;
        long bit = 1L << (i & 63);
        if ((seen[i >>> 6] & bit) != 0) {
            duplicates++;
            return false;
        }
        seen[i >>> 6] |= bit;
        received++;
        if (seq < maxSeen) {
            reordered++;
        } else {
            maxSeen = seq;
        }
        return true;
    }

    boolean has(int seq) {
        if (seq < 1 || seq > expected) {
            return false;
        }
        int i = seq - 1;
        return (seen[i >>> 6] & (1L << (i & 63))) != 0;
    }

    int expected() {
        return expected;
    }

    int received() {
        return received;
    }

    boolean complete() {
        return received == expected;
    }

    int lost() {
        return expected - received;
    }

    int duplicates() {
        return duplicates;
    }

    int reordered() {
        return reordered;
    }

    int outOfRange() {
        return outOfRange;
    }
}
