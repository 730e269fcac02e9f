package dev.pushrelay.store.redis;

import io.lettuce.core.cluster.SlotHash;

/**
 * For each of Redis Cluster's 16384 hash slots, a short hash tag that lands in it (base-36
 * counting, the first string found for each slot), so that names which must live with a
 * channel's keys (its shard channels, its slot's epoch key) can be written as {@code
 * name{tag}}: their slot is the channel's, whatever the channel id is. Computed once per
 * broker (a few hundred thousand CRC16s of 1-4 bytes).
 */
final class SlotTags {

    private final String[] bySlot = new String[SlotHash.SLOT_COUNT];

    SlotTags() {
        int left = bySlot.length;
        for (long i = 0; left > 0; i++) {
            String t = Long.toString(i, 36);
            int slot = SlotHash.getSlot(t);
            if (bySlot[slot] == null) {
                bySlot[slot] = t;
                left--;
            }
        }
    }

    String tag(int slot) {
        return bySlot[slot];
    }
}
