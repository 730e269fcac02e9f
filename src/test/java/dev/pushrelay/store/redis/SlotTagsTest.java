package dev.pushrelay.store.redis;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §13, Redis Cluster: names that must share a channel's slot. */
class SlotTagsTest {

    @Test
    void every_slot_has_a_short_tag_that_hashes_to_it_inside_braces_too() {
        SlotTags tags = new SlotTags();
        for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
            String t = tags.tag(slot);
            assertTrue(t.length() <= 4, t);
            assertEquals(slot, SlotHash.getSlot(t));
            assertEquals(slot, SlotHash.getSlot("ns:pushrelay:notify{" + t + "}"));
        }
    }

    @Test
    void a_channels_keys_and_its_slot_names_share_one_slot() {
        SlotTags tags = new SlotTags();
        for (String id : new String[] {"a", "/group/chan", "x}y", "{z", "ünï"}) {
            int slot = SlotHash.getSlot("pushrelay{" + id + "}:c");
            assertEquals(slot, SlotHash.getSlot("pushrelay{" + id + "}:m"), id);
            assertEquals(slot, SlotHash.getSlot("pushrelay{" + id + "}:w"), id);
            assertEquals(slot, SlotHash.getSlot("pushrelay:epoch{" + tags.tag(slot) + "}"), id);
        }
    }

    @Test
    void cluster_mode_is_read_from_info_cluster() {
        assertTrue(ClusterLink.isCluster("# Cluster\r\ncluster_enabled:1\r\n"));
        assertFalse(ClusterLink.isCluster("# Cluster\r\ncluster_enabled:0\r\n"));
        assertFalse(ClusterLink.isCluster(""));
    }
}
