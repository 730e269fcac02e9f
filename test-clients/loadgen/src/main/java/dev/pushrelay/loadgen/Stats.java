package dev.pushrelay.loadgen;

import java.util.Map;
import java.util.TreeMap;

/** Counters of one IO thread (or of the coordinator); merged at the end of a run. */
final class Stats {
    final long[] subStatus = new long[600];
    final long[] pubStatus = new long[600];
    final long[] infoStatus = new long[600];
    final Histogram deliveryLatency = new Histogram();
    final Histogram publishLatency = new Histogram();
    long deliveries;
    /** Latency by the channel's place in its round's publish order, in tenths (diagnostic). */
    final Histogram[] byTenth = tenths();
    /** Latency by round (message number), diagnostic; grown on demand. */
    Histogram[] byRound = new Histogram[0];

    Histogram round(int seq) {
        if (seq >= byRound.length) {
            Histogram[] n = java.util.Arrays.copyOf(byRound, seq + 1);
            for (int i = byRound.length; i < n.length; i++) n[i] = new Histogram();
            byRound = n;
        }
        return byRound[seq];
    }
    /** Deliveries of a message published before the subscriber's request was written (from the buffer). */
    long fromBuffer;
    long malformedBodies;
    long misrouted;
    long missingCursor;
    long protocolErrors;
    long reconnects;
    long publishFailures;
    final Map<String, Long> errors = new TreeMap<>();

    private static Histogram[] tenths() {
        Histogram[] h = new Histogram[10];
        for (int i = 0; i < 10; i++) {
            h[i] = new Histogram();
        }
        return h;
    }

    void error(String kind) {
        errors.merge(kind, 1L, Long::sum);
    }

    void merge(Stats o) {
        for (int i = 0; i < 600; i++) {
            subStatus[i] += o.subStatus[i];
            pubStatus[i] += o.pubStatus[i];
            infoStatus[i] += o.infoStatus[i];
        }
        deliveryLatency.merge(o.deliveryLatency);
        for (int i = 0; i < 10; i++) {
            byTenth[i].merge(o.byTenth[i]);
        }
        fromBuffer += o.fromBuffer;
        for (int i = 0; i < o.byRound.length; i++) {
            round(i).merge(o.byRound[i]);
        }
        publishLatency.merge(o.publishLatency);
        deliveries += o.deliveries;
        malformedBodies += o.malformedBodies;
        misrouted += o.misrouted;
        missingCursor += o.missingCursor;
        protocolErrors += o.protocolErrors;
        reconnects += o.reconnects;
        publishFailures += o.publishFailures;
        o.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    }

    /** "200=5 408=1" style summary of non-zero counts. */
    static String statuses(long[] counts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(i).append('=').append(counts[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    static long sumExcept(long[] counts, int... allowed) {
        long n = 0;
        outer:
        for (int i = 0; i < counts.length; i++) {
            for (int a : allowed) {
                if (a == i) {
                    continue outer;
                }
            }
            n += counts[i];
        }
        return n;
    }
}
