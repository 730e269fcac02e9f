package dev.pushrelay.loadgen;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/** Shared delivery bookkeeping of a fanout run, indexed by (channel, sequence number). */
final class Progress {
    final int channels;
    final int messages;
    final int[] expectedPerChannel;
    /** First-time deliveries per (channel, seq). */
    final AtomicIntegerArray delivered;
    /** Time of the latest first-time delivery per (channel, seq). */
    final AtomicLongArray lastAt;
    /** Publish send time per (channel, seq); 0 = not published. */
    final AtomicLongArray publishedAt;
    /** First-time deliveries per seq (index seq). */
    final AtomicIntegerArray perSeq;

    Progress(int channels, int messages, int[] expectedPerChannel) {
        this.channels = channels;
        this.messages = messages;
        this.expectedPerChannel = expectedPerChannel;
        this.delivered = new AtomicIntegerArray(channels * messages);
        this.lastAt = new AtomicLongArray(channels * messages);
        this.publishedAt = new AtomicLongArray(channels * messages);
        this.perSeq = new AtomicIntegerArray(messages + 1);
    }

    private int idx(int ch, int seq) {
        return ch * messages + (seq - 1);
    }

    void delivered(int ch, int seq, long now) {
        int i = idx(ch, seq);
        delivered.incrementAndGet(i);
        lastAt.accumulateAndGet(i, now, Math::max);
        perSeq.incrementAndGet(seq);
    }

    void published(int ch, int seq, long now) {
        publishedAt.set(idx(ch, seq), now);
    }

    int deliveredCount(int ch, int seq) {
        return delivered.get(idx(ch, seq));
    }

    long lastDelivery(int ch, int seq) {
        return lastAt.get(idx(ch, seq));
    }

    long publishTime(int ch, int seq) {
        return publishedAt.get(idx(ch, seq));
    }

    long totalExpected() {
        long n = 0;
        for (int e : expectedPerChannel) {
            n += e;
        }
        return n;
    }
}
