package dev.pushrelay.loadgen;

import java.util.Arrays;

/**
 * Log-linear histogram of non-negative longs (nanoseconds): 64 sub-buckets per power of
 * two, so a reported percentile is within ~1.6% of the true value. Not thread-safe: each
 * IO thread owns one and they are merged at the end.
 */
final class Histogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int SIZE = (64 - SUB_BITS + 1) * SUB;

    private final long[] counts = new long[SIZE];
    private long total;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int shift = exp - SUB_BITS;
        int sub = (int) (v >>> shift) & (SUB - 1);
        return (shift + 1) * SUB + sub;
    }

    /** Smallest value that falls into bucket {@code idx}. */
    static long lowerBound(int idx) {
        if (idx < SUB) {
            return idx;
        }
        int shift = idx / SUB - 1;
        int sub = idx % SUB;
        return (1L << (shift + SUB_BITS)) | ((long) sub << shift);
    }

    /** Largest value that falls into bucket {@code idx}. */
    static long upperBound(int idx) {
        if (idx < SUB) {
            return idx;
        }
        int shift = idx / SUB - 1;
        return lowerBound(idx) + (1L << shift) - 1;
    }

    void record(long v) {
        if (v < 0) {
            v = 0;
        }
        counts[index(v)]++;
        total++;
        sum += v;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    long count() {
        return total;
    }

    long max() {
        return total == 0 ? 0 : max;
    }

    long min() {
        return total == 0 ? 0 : min;
    }

    double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /** Value at quantile {@code q} (0..1]: the middle of the bucket holding that rank, clamped to [min,max]. */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        if (rank < 1) {
            rank = 1;
        }
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long mid = (lowerBound(i) + upperBound(i)) / 2;
                return Math.max(min, Math.min(max, mid));
            }
        }
        return max;
    }

    void merge(Histogram o) {
        for (int i = 0; i < SIZE; i++) {
            counts[i] += o.counts[i];
        }
        total += o.total;
        sum += o.sum;
        if (o.total > 0) {
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
        }
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = 0;
    }
}
