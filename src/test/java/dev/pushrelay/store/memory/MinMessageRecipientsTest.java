package dev.pushrelay.store.memory;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.testing.Messages;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** protocol.md §5.5: push_min_message_recipients with its 0.68-0.69 meaning. */
class MinMessageRecipientsTest {

    private final MutableClock clock = new MutableClock();
    private final InMemoryChannelStore store = new InMemoryChannelStore(clock, 1 << 20);
    private static final SubscribePolicy SUB = new SubscribePolicy(ConcurrencyMode.BROADCAST, false, 0, 5);

    private void publish(String body, BufferPolicy policy) {
        store.publish("/a", new MessageDraft(body.getBytes(StandardCharsets.UTF_8), null), policy);
    }

    private static String text(Fetch f) {
        return Messages.text(((Fetch.Found) f).message());
    }

    private int stored() {
        return store.info("/a", 5).orElseThrow().messages();
    }

    @Test
    void recipients_0_with_min_1_keeps_about_one_message_as_the_seed_article_did() {
        BufferPolicy seed = new BufferPolicy(1, 10, 7200, false, 5, 0);
        for (int i = 0; i < 5; i++) publish("m" + i, seed);
        assertEquals(1, stored(), "each publish purges the oldest once more than min are stored");
        Fetch f = store.subscribe("/a", Cursor.OLDEST, SUB, false, new RecordingSubscriber());
        assertEquals("m4", text(f));
    }

    @Test
    void a_message_is_kept_until_it_was_received_often_enough() {
        BufferPolicy twice = new BufferPolicy(1, 10, 7200, false, 5, 2);
        publish("m0", twice);
        publish("m1", twice);
        assertEquals(2, stored(), "m0 was received by nobody yet");
        store.subscribe("/a", Cursor.OLDEST, SUB, false, new RecordingSubscriber());
        publish("m2", twice);
        assertEquals(3, stored(), "m0 received once, not twice");
        store.subscribe("/a", Cursor.OLDEST, SUB, false, new RecordingSubscriber());
        publish("m3", twice);
        assertEquals(3, stored(), "m0 received twice: purged by the next publish");
        Fetch f = store.subscribe("/a", Cursor.OLDEST, SUB, false, new RecordingSubscriber());
        assertInstanceOf(Fetch.Found.class, f);
        assertEquals("m1", text(f));
    }

    @Test
    void broadcast_deliveries_count_as_receipts() {
        BufferPolicy once = new BufferPolicy(0, 10, 7200, false, 5, 1);
        RecordingSubscriber a = new RecordingSubscriber();
        RecordingSubscriber b = new RecordingSubscriber();
        store.subscribe("/a", new Cursor(Long.MAX_VALUE, 0), SUB, false, a);
        store.subscribe("/a", new Cursor(Long.MAX_VALUE, 0), SUB, false, b);
        publish("live", once);
        assertEquals(1, a.delivered().size());
        assertEquals(1, stored(), "the published message itself is never purged by its own publish");
        publish("next", once);
        assertEquals(1, stored(), "live had 2 receipts >= 1: purged");
    }

    @Test
    void without_the_directive_nothing_is_purged() {
        for (int i = 0; i < 5; i++) publish("m" + i, new BufferPolicy(1, 10, 7200, false, 5));
        assertEquals(5, stored());
    }
}
