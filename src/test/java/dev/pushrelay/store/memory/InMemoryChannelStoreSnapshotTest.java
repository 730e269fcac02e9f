package dev.pushrelay.store.memory;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.store.ChannelSnapshot;
import dev.pushrelay.store.RestoreResult;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.pushrelay.testing.Messages.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** snapshot() and restore(): a restart without loss, on a hand-moved clock. */
class InMemoryChannelStoreSnapshotTest {

    static final long MB = 1L << 20;

    final MutableClock clock = new MutableClock();
    final InMemoryChannelStore before = new InMemoryChannelStore(clock, 32 * MB);
    final InMemoryChannelStore after = new InMemoryChannelStore(clock, 32 * MB);

    Message publish(InMemoryChannelStore store, String key, String body, BufferPolicy policy) {
        PublishResult r = store.publish(key, new MessageDraft(body.getBytes(StandardCharsets.UTF_8), "text/x-" + body), policy);
        return assertInstanceOf(PublishResult.Published.class, r).message();
    }

    /** Walks the channel from {@code cursor} with long-poll fetches until one would wait. */
    static List<String> walk(InMemoryChannelStore store, String key, Cursor cursor) {
        List<String> out = new ArrayList<>();
        while (true) {
            Fetch f = store.subscribe(key, cursor, SubscribePolicy.DEFAULT, false, new RecordingSubscriber());
            if (f instanceof Fetch.Waiting w) {
                w.subscription().cancel();
                return out;
            }
            Message m = assertInstanceOf(Fetch.Found.class, f).message();
            out.add(text(m) + "@" + m.id().time() + ":" + m.id().tag() + " " + m.contentType());
            cursor = m.id();
        }
    }

    @Test
    void a_restored_store_continues_the_cursor_walk_exactly() {
        Message a = publish(before, "/ch", "a", BufferPolicy.DEFAULT);
        publish(before, "/ch", "b", BufferPolicy.DEFAULT);
        publish(before, "/ch", "c", BufferPolicy.DEFAULT);
        List<String> expected = walk(before, "/ch", a.id());

        RestoreResult r = after.restore(before.snapshot());
        assertEquals(new RestoreResult(1, 3, 0, 0, 0), r);
        assertEquals(expected, walk(after, "/ch", a.id()), "nothing lost, nothing repeated");
        assertEquals(List.of("b@" + clock.epochSecond() + ":1 text/x-b", "c@" + clock.epochSecond() + ":2 text/x-c"), expected);
        assertEquals(before.stats(), after.stats(), "same channels, messages and bytes charged");
    }

    @Test
    void the_id_counter_survives_even_when_nothing_was_stored() { // §3.2 with §5.7
        BufferPolicy off = new BufferPolicy(0, 0, 0, false, 5);
        publish(before, "/off", "x", off);
        publish(before, "/off", "y", off);
        List<ChannelSnapshot> snap = before.snapshot();
        assertEquals(1, snap.size());
        assertEquals(new Cursor(clock.epochSecond(), 1), snap.get(0).lastId());
        after.restore(snap);
        assertEquals(new Cursor(clock.epochSecond(), 2), publish(after, "/off", "z", BufferPolicy.DEFAULT).id(),
                "a publish in the same second continues the tags, so a holder of tag 1 gets it");
    }

    @Test
    void expiry_and_delete_oldest_received_travel_with_each_message() { // §5.4, §5.6
        Message m = publish(before, "/dor", "m", new BufferPolicy(0, 10, 60, true, 5));
        assertEquals(1, after.restore(before.snapshot()).messages());
        Message restored = assertInstanceOf(Fetch.Found.class, after.poll("/dor", Cursor.OLDEST, 5)).message();
        assertEquals(m.expires(), restored.expires());
        assertEquals(0, restored.deleteOldestReceivedMin());
        assertEquals("text/x-m", restored.contentType());
        // delete-oldest-received still applies after the restart
        assertInstanceOf(Fetch.Found.class, after.subscribe("/dor", Cursor.OLDEST, SubscribePolicy.DEFAULT, false, new RecordingSubscriber()));
        assertEquals(0, after.stats().messages());
    }

    @Test
    void expired_messages_are_skipped_at_restore() { // §5.6
        publish(before, "/e", "short", new BufferPolicy(1, 10, 10, false, 5));
        publish(before, "/e", "long", new BufferPolicy(1, 10, 100, false, 5));
        List<ChannelSnapshot> snap = before.snapshot();
        clock.advanceSeconds(11);
        RestoreResult r = after.restore(snap);
        assertEquals(1, r.messages());
        assertEquals(1, r.expired());
        assertEquals(List.of("long@" + (clock.epochSecond() - 11) + ":1 text/x-long"), walk(after, "/e", Cursor.OLDEST));
    }

    @Test
    void snapshot_leaves_out_expired_messages_and_channels_without_history() {
        publish(before, "/gone", "x", new BufferPolicy(1, 10, 1, false, 5));
        before.subscribe("/empty", Cursor.OLDEST, SubscribePolicy.DEFAULT, false, new RecordingSubscriber());
        clock.advanceSeconds(2);
        List<ChannelSnapshot> snap = before.snapshot();
        assertEquals(1, snap.size(), "only /gone, which still has its id counter");
        assertEquals("/gone", snap.get(0).key());
        assertTrue(snap.get(0).messages().isEmpty());
    }

    @Test
    void restore_respects_the_memory_budget() { // §6.3
        byte[] big = new byte[600 * 1024];
        before.publish("/a", new MessageDraft(big, null), BufferPolicy.DEFAULT);
        before.publish("/b", new MessageDraft(big, null), BufferPolicy.DEFAULT);
        InMemoryChannelStore small = new InMemoryChannelStore(clock, MB);
        RestoreResult r = small.restore(before.snapshot());
        assertEquals(1, r.channels());
        assertEquals(1, r.overBudget());
        assertTrue(small.stats().reservedBytes() <= MB);
        assertEquals(1, small.stats().channels());
        small.close();
        assertEquals(0, small.stats().reservedBytes(), "a skipped channel left no charge behind");
    }

    @Test
    void existing_and_inconsistent_channels_are_not_restored() {
        publish(after, "/x", "live", BufferPolicy.DEFAULT);
        long t = clock.epochSecond();
        Message m1 = new Message(new Cursor(t, 1), new byte[] {1}, null, 0, Message.NEVER);
        Message m0 = new Message(new Cursor(t, 0), new byte[] {0}, null, 0, Message.NEVER);
        RestoreResult r = after.restore(List.of(
                new ChannelSnapshot("/x", null, t, t, List.of(m0)),
                new ChannelSnapshot("/bad", null, t, t, List.of(m1, m0))));
        assertEquals(new RestoreResult(0, 0, 0, 0, 2), r);
        assertEquals(1, after.stats().channels());
        assertEquals(List.of("live@" + t + ":0 text/x-live"), walk(after, "/x", Cursor.OLDEST));
    }

    @Test
    void restored_channels_get_a_grace_period_before_collection() { // §6.2
        BufferPolicy off = new BufferPolicy(0, 0, 0, false, 0);
        publish(before, "/idle", "x", off);
        List<ChannelSnapshot> snap = before.snapshot();
        clock.advanceSeconds(60);
        after.restore(snap);
        after.sweep();
        assertEquals(1, after.stats().channels(), "kept for the re-polling subscribers");
        clock.advanceSeconds(InMemoryChannelStore.RESTORE_GRACE_SECONDS);
        after.sweep();
        assertEquals(0, after.stats().channels());
    }

    @Test
    void budget_can_shrink_and_grow_at_runtime() { // reload, §6.3
        before.publish("/a", new MessageDraft(new byte[1000], null), BufferPolicy.DEFAULT);
        before.budget(1000);
        assertInstanceOf(PublishResult.Rejected.class,
                before.publish("/a", new MessageDraft(new byte[10], null), BufferPolicy.DEFAULT));
        assertEquals(1, before.stats().messages(), "nothing was removed by shrinking");
        before.budget(MB);
        assertEquals(MB, before.stats().budgetBytes());
        assertInstanceOf(PublishResult.Published.class,
                before.publish("/a", new MessageDraft(new byte[10], null), BufferPolicy.DEFAULT));
    }
}
