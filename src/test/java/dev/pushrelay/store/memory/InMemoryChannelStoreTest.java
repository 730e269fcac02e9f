package dev.pushrelay.store.memory;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.StoreStats;
import dev.pushrelay.testing.Messages;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.pushrelay.store.memory.InMemoryChannelStore.CHANNEL_OVERHEAD_BYTES;
import static dev.pushrelay.store.memory.InMemoryChannelStore.MESSAGE_OVERHEAD_BYTES;
import static dev.pushrelay.store.memory.InMemoryChannelStore.SUBSCRIBER_OVERHEAD_BYTES;
import static dev.pushrelay.testing.Messages.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unit tests of the in-memory store; sections refer to protocol.md. Time moves only by hand. */
class InMemoryChannelStoreTest {

    static final long MB = 1L << 20;
    static final String K = "/ch";

    final MutableClock clock = new MutableClock();
    InMemoryChannelStore store = new InMemoryChannelStore(clock, 32 * MB);

    @AfterEach
    void close() {
        store.close();
        assertEquals(0, store.stats().reservedBytes(), "close gives everything back");
    }

    // ------------------------------------------------------------------ helpers

    static BufferPolicy buffer(int min, int max, long messageTimeout, boolean deleteOldestReceived, long channelTimeout) {
        return new BufferPolicy(min, max, messageTimeout, deleteOldestReceived, channelTimeout);
    }

    static SubscribePolicy sub(ConcurrencyMode mode, int maxSubscribers) {
        return new SubscribePolicy(mode, false, maxSubscribers, 5);
    }

    PublishResult.Published publish(String key, String body, BufferPolicy policy) {
        PublishResult r = store.publish(key, new MessageDraft(body.getBytes(StandardCharsets.UTF_8), "text/plain"), policy);
        return assertInstanceOf(PublishResult.Published.class, r);
    }

    Message publish(String key, String body) {
        return publish(key, body, BufferPolicy.DEFAULT).message();
    }

    Fetch subscribe(String key, Cursor after, RecordingSubscriber s) {
        return store.subscribe(key, after, SubscribePolicy.DEFAULT, false, s);
    }

    Message found(Fetch f) {
        return assertInstanceOf(Fetch.Found.class, f).message();
    }

    Subscription waiting(Fetch f) {
        return assertInstanceOf(Fetch.Waiting.class, f).subscription();
    }

    Refusal refused(Fetch f) {
        return assertInstanceOf(Fetch.Refused.class, f).why();
    }

    ChannelInfo info(String key) {
        return store.info(key, 5).orElseThrow();
    }

    long now() {
        return clock.epochSecond();
    }

    // ------------------------------------------------------------- ids, cursor

    @Nested
    class IdsAndCursor {

        @Test
        void tags_count_within_a_second_and_restart_next_second() { // §3.2
            assertEquals(new Cursor(now(), 0), publish(K, "a").id());
            assertEquals(new Cursor(now(), 1), publish(K, "b").id());
            assertEquals(new Cursor(now(), 2), publish(K, "c").id());
            clock.advanceSeconds(1);
            assertEquals(new Cursor(now(), 0), publish(K, "d").id());
            assertEquals(new Cursor(now(), 1), publish(K, "e").id());
        }

        @Test
        void tags_are_per_channel() {
            assertEquals(0, publish("/a", "x").id().tag());
            assertEquals(0, publish("/b", "x").id().tag());
            assertEquals(1, publish("/a", "y").id().tag());
        }

        @Test
        void cursor_walk_over_same_second_messages_loses_and_repeats_nothing() { // §4.2
            List<String> bodies = List.of("m0", "m1", "m2", "m3", "m4", "m5");
            for (int i = 0; i < bodies.size(); i++) {
                if (i == 4) clock.advanceSeconds(1);
                publish(K, bodies.get(i));
            }
            List<String> walked = new ArrayList<>();
            Cursor cursor = Cursor.OLDEST;
            while (true) {
                Fetch f = subscribe(K, cursor, new RecordingSubscriber());
                if (f instanceof Fetch.Waiting w) {
                    w.subscription().cancel();
                    break;
                }
                Message m = found(f);
                walked.add(text(m));
                cursor = m.id();
            }
            assertEquals(bodies, walked);
            // interval-poll walks the same way and ends with NOT_YET (304)
            walked.clear();
            cursor = Cursor.OLDEST;
            for (Fetch f = store.poll(K, cursor, 5); f instanceof Fetch.Found ff; f = store.poll(K, cursor, 5)) {
                walked.add(text(ff.message()));
                cursor = ff.message().id();
            }
            assertEquals(bodies, walked);
            assertSame(Fetch.NOT_YET, store.poll(K, cursor, 5));
        }

        @Test
        void no_if_modified_since_gets_the_oldest_stored_message() { // §4.2
            Message first = publish(K, "first");
            publish(K, "second");
            assertSame(first, found(subscribe(K, Cursor.OLDEST, new RecordingSubscriber())));
            assertSame(first, found(store.poll(K, Cursor.OLDEST, 5)));
        }

        @Test
        void ids_keep_increasing_when_the_queue_was_emptied_in_the_same_second() { // §4.2 edge case, improved
            BufferPolicy dor0 = buffer(0, 10, 0, true, 5);
            Message a = publish(K, "a", dor0).message();
            assertSame(a, found(subscribe(K, Cursor.OLDEST, new RecordingSubscriber())));
            assertEquals(0, info(K).messages(), "received and deleted (§5.4)");
            Message b = publish(K, "b", dor0).message();
            assertEquals(new Cursor(now(), 1), b.id(), "the module would reuse tag 0, the id the client holds");
            assertSame(b, found(subscribe(K, a.id(), new RecordingSubscriber())), "so a's holder finds b");

            BufferPolicy off = buffer(0, 0, 0, false, 5);
            assertEquals(2, publish(K, "c", off).message().id().tag());
            assertEquals(3, publish(K, "d", off).message().id().tag(), "store off keeps counting too");

            store.delete(K);
            assertEquals(new Cursor(now(), 0), publish(K, "e", BufferPolicy.DEFAULT).message().id(),
                    "a deleted channel starts over");
        }

        @Test
        void trim_removes_one_oldest_per_publish() { // §5.3
            BufferPolicy max3 = buffer(1, 3, 0, false, 5);
            for (int i = 0; i < 5; i++) publish(K, "m" + i, max3);
            assertEquals(3, info(K).messages());
            assertEquals("m2", text(found(store.poll(K, Cursor.OLDEST, 5))));
            // a location with a larger max filled it; a smaller max shrinks by one per publish at most
            for (int i = 5; i < 10; i++) publish(K, "m" + i, buffer(1, 10, 0, false, 5));
            assertEquals(8, info(K).messages());
            publish(K, "m10", max3);
            assertEquals(8, info(K).messages());
            assertEquals("m3", text(found(store.poll(K, Cursor.OLDEST, 5))), "m2 trimmed");
        }
    }

    // ------------------------------------------------------- publish, store off

    @Nested
    class Publishing {

        @Test
        void waiting_count_decides_201_or_202() { // §3.1
            PublishResult.Published first = publish(K, "a", BufferPolicy.DEFAULT);
            assertEquals(0, first.waiting(), "202: nobody waited");
            assertEquals(new ChannelInfo(1, 0, 0), first.info());

            RecordingSubscriber s1 = new RecordingSubscriber();
            RecordingSubscriber s2 = new RecordingSubscriber();
            waiting(subscribe(K, first.message().id(), s1));
            waiting(subscribe(K, first.message().id(), s2));
            assertEquals(2, info(K).subscribers());
            assertEquals(2, store.stats().subscribers());

            PublishResult.Published second = publish(K, "b", BufferPolicy.DEFAULT);
            assertEquals(2, second.waiting(), "201");
            assertEquals(new ChannelInfo(2, 0, 0), second.info(), "subscribers counted after delivery");
            assertEquals(List.of(second.message()), s1.delivered());
            assertEquals(List.of(second.message()), s2.delivered());
            assertEquals(0, store.stats().subscribers());
        }

        @Test
        void a_waiter_gets_the_new_message_regardless_of_its_cursor() { // §4.3
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(subscribe(K, new Cursor(now() + 100, 5), s));
            Message m = publish(K, "x");
            assertEquals(List.of(m), s.delivered());
            assertEquals(1, s.calls());
        }

        @Test
        void store_off_delivers_to_waiters_only_and_stores_nothing() { // §5.7
            BufferPolicy off = buffer(0, 0, 60, false, 5);
            publish(K, "before anyone listens", off);
            assertEquals(0, info(K).messages());
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(subscribe(K, Cursor.OLDEST, s)); // nothing stored: it waits
            PublishResult.Published p = publish(K, "live", off);
            assertEquals(1, p.waiting());
            assertEquals(0, p.info().messages());
            assertEquals(List.of("live"), s.delivered().stream().map(Messages::text).toList());
            assertEquals(0, store.stats().messages());
            assertSame(Fetch.NOT_YET, store.poll(K, Cursor.OLDEST, 5));
            assertEquals(CHANNEL_OVERHEAD_BYTES + K.length(), store.stats().reservedBytes(),
                    "a message that is not stored is not charged after delivery");
        }

        @Test
        void message_expires_and_timeout_zero_never_does() { // §3.2
            Message m = publish(K, "a", buffer(1, 10, 30, false, 5)).message();
            assertEquals(now() + 30, m.expires());
            assertEquals(0, publish(K, "b", buffer(1, 10, 0, false, 5)).message().expires());
            assertEquals(Message.NEVER, m.deleteOldestReceivedMin());
            assertEquals(4, publish(K, "c", buffer(4, 10, 0, true, 5)).message().deleteOldestReceivedMin());
        }

        @Test
        void content_type_is_kept_verbatim_and_may_be_absent() {
            Message withType = assertInstanceOf(PublishResult.Published.class, store.publish(K,
                    new MessageDraft(new byte[0], "application/json; charset=utf-8"), BufferPolicy.DEFAULT)).message();
            Message without = assertInstanceOf(PublishResult.Published.class, store.publish(K,
                    new MessageDraft(new byte[3], null), BufferPolicy.DEFAULT)).message();
            assertEquals("application/json; charset=utf-8", withType.contentType());
            assertEquals(0, withType.length());
            assertNull(without.contentType());
        }
    }

    // ------------------------------------------------------------------ expiry

    @Nested
    class Expiry {

        @Test
        void expiry_is_strict_and_expired_messages_are_never_returned() { // §5.6
            publish(K, "short", buffer(1, 10, 2, false, 5));
            clock.advanceSeconds(2);
            assertEquals("short", text(found(store.poll(K, Cursor.OLDEST, 5))), "now == expires: still alive");
            clock.advanceSeconds(1);
            assertSame(Fetch.NOT_YET, store.poll(K, Cursor.OLDEST, 5));
            assertEquals(0, info(K).messages());
        }

        @Test
        void an_older_long_lived_message_does_not_shield_newer_expired_ones() { // §5.6, improved
            Message longLived = publish(K, "long", buffer(1, 10, 100, false, 5)).message();
            publish(K, "short", buffer(1, 10, 2, false, 5));
            Message never = publish(K, "never", buffer(1, 10, 0, false, 5)).message();
            clock.advanceSeconds(3);
            assertEquals(2, info(K).messages());
            assertSame(never, found(subscribe(K, longLived.id(), new RecordingSubscriber())));
            assertSame(longLived, found(store.poll(K, Cursor.OLDEST, 5)));
        }

        @Test
        void every_lookup_expires_first() {
            publish(K, "a", buffer(1, 10, 1, false, 5));
            clock.advanceSeconds(2);
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(subscribe(K, Cursor.OLDEST, s)); // the expired message is not FOUND
            assertEquals(0, store.stats().messages());
        }

        @Test
        void sweep_frees_expired_messages_on_untouched_channels() {
            for (int i = 0; i < 3; i++) publish("/c" + i, "x".repeat(1000), buffer(1, 10, 10, false, 3600));
            StoreStats before = store.stats();
            assertEquals(3, before.messages());
            clock.advanceSeconds(11);
            store.sweep();
            StoreStats after = store.stats();
            assertEquals(0, after.messages());
            assertEquals(3, after.channels(), "channel timeout 1 h: the channels stay");
            assertEquals(3 * (CHANNEL_OVERHEAD_BYTES + 3), after.reservedBytes());
        }
    }

    // -------------------------------------------------------------- channel GC

    @Nested
    class ChannelGc {

        @Test
        void an_empty_unwatched_channel_goes_after_its_channel_timeout() { // §6.2
            publish(K, "a", buffer(1, 10, 1, false, 5));
            clock.advanceSeconds(2); // message expired, channel timeout not yet
            store.sweep();
            assertTrue(store.info(K, 5).isPresent(), "the lookup itself refreshes expires to now + 5");
            clock.advanceSeconds(4);
            store.sweep();
            assertTrue(store.info(K, 5).isPresent());
            clock.advanceSeconds(5);
            store.sweep();
            assertEquals(Optional.empty(), store.info(K, 5));
            assertEquals(0, store.stats().channels());
            assertEquals(0, store.stats().reservedBytes());
        }

        @Test
        void not_while_a_subscriber_waits() {
            RecordingSubscriber s = new RecordingSubscriber();
            Subscription sub = waiting(subscribe(K, Cursor.OLDEST, s));
            clock.advanceSeconds(100);
            store.sweep();
            assertEquals(1, store.stats().channels());
            sub.cancel();
            store.sweep();
            assertEquals(0, store.stats().channels());
            assertEquals(0, s.calls());
        }

        @Test
        void not_while_messages_are_stored() {
            publish(K, "forever", buffer(1, 10, 0, false, 5));
            clock.advanceSeconds(1_000_000);
            store.sweep();
            assertEquals(1, info(K).messages());
        }

        @Test
        void a_recreated_channel_starts_fresh() {
            store.poll(K, Cursor.OLDEST, 0); // channel timeout 0: deletable at once
            store.sweep();
            assertEquals(0, store.stats().channels());
            clock.advanceSeconds(3);
            store.poll(K, Cursor.OLDEST, 5);
            assertEquals(0, info(K).requestedSecondsAgo());
        }

        @Test
        void requested_counts_from_the_last_subscriber_lookup_not_publisher_requests() { // §3.4
            publish(K, "a");
            clock.advanceSeconds(4);
            assertEquals(4, info(K).requestedSecondsAgo(), "creation counts as seen");
            publish(K, "b");
            assertEquals(4, info(K).requestedSecondsAgo());
            store.poll(K, Cursor.OLDEST, 5);
            assertEquals(0, info(K).requestedSecondsAgo());
            clock.advanceSeconds(2);
            subscribe(K, Cursor.OLDEST, new RecordingSubscriber());
            assertEquals(0, info(K).requestedSecondsAgo());
        }
    }

    // ------------------------------------------------- delete-oldest-received

    @Nested
    class DeleteOldestReceived { // §5.4

        final BufferPolicy dor2 = buffer(2, 10, 0, true, 5);

        @Test
        void found_deletes_the_oldest_when_more_than_min_remain() {
            Message a = publish(K, "a", dor2).message();
            Message b = publish(K, "b", dor2).message();
            Message c = publish(K, "c", dor2).message();
            assertSame(a, found(subscribe(K, Cursor.OLDEST, new RecordingSubscriber())));
            assertEquals(2, info(K).messages(), "3 > 2: a deleted");
            assertSame(b, found(subscribe(K, Cursor.OLDEST, new RecordingSubscriber())));
            assertEquals(2, info(K).messages(), "2 > 2 is false: b kept");
            assertSame(c, found(subscribe(K, b.id(), new RecordingSubscriber())));
            assertEquals(2, info(K).messages(), "c is not the oldest");
        }

        @Test
        void interval_poll_never_deletes() { // §4.5
            publish(K, "a", dor2);
            publish(K, "b", dor2);
            publish(K, "c", dor2);
            found(store.poll(K, Cursor.OLDEST, 5));
            assertEquals(3, info(K).messages());
        }

        @Test
        void off_never_deletes() {
            publish(K, "a");
            publish(K, "b");
            publish(K, "c");
            found(subscribe(K, Cursor.OLDEST, new RecordingSubscriber()));
            assertEquals(3, info(K).messages());
        }

        @Test
        void broadcast_deletes_the_message_once_received_if_it_is_the_oldest() {
            RecordingSubscriber s1 = new RecordingSubscriber();
            RecordingSubscriber s2 = new RecordingSubscriber();
            waiting(subscribe(K, Cursor.OLDEST, s1));
            waiting(subscribe(K, Cursor.OLDEST, s2));
            PublishResult.Published p = publish(K, "x", buffer(0, 10, 0, true, 5));
            assertEquals(2, p.waiting());
            assertEquals(0, p.info().messages(), "1 > 0 and x is the oldest: deleted after the batch");
            assertEquals(1, s1.delivered().size());
            assertEquals(1, s2.delivered().size());
        }

        @Test
        void broadcast_respects_min_and_oldest() {
            BufferPolicy dor1 = buffer(1, 10, 0, true, 5);
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(subscribe(K, Cursor.OLDEST, s));
            PublishResult.Published p = publish(K, "x", dor1);
            assertEquals(1, p.info().messages(), "1 > 1 is false: kept");
            waiting(subscribe(K, p.message().id(), new RecordingSubscriber()));
            PublishResult.Published q = publish(K, "y", dor1);
            assertEquals(1, q.waiting());
            assertEquals(2, q.info().messages(), "y is not the oldest (x is): nothing deleted");
        }

        @Test
        void broadcast_nobody_took_it_nothing_deleted() {
            RecordingSubscriber gone = new RecordingSubscriber().alreadyEnded();
            waiting(subscribe(K, Cursor.OLDEST, gone));
            PublishResult.Published p = publish(K, "x", buffer(0, 10, 0, true, 5));
            assertEquals(1, p.waiting());
            assertEquals(1, p.info().messages());
        }
    }

    // ------------------------------------------------------------ concurrency

    @Nested
    class Concurrency { // §7

        @Test
        void broadcast_lets_everyone_wait() {
            for (int i = 0; i < 5; i++) waiting(subscribe(K, Cursor.OLDEST, new RecordingSubscriber()));
            assertEquals(5, info(K).subscribers());
        }

        @Test
        void first_keeps_the_oldest_and_refuses_newcomers_even_for_stored_messages() {
            SubscribePolicy first = sub(ConcurrencyMode.FIRST, 0);
            RecordingSubscriber s1 = new RecordingSubscriber();
            waiting(store.subscribe(K, Cursor.OLDEST, first, false, s1)); // current == 0: proceed
            Message m = publish(K, "a");
            assertEquals(List.of(m), s1.delivered());
            // nobody waits now; a newcomer proceeds and finds the stored message
            assertSame(m, found(store.subscribe(K, Cursor.OLDEST, first, false, new RecordingSubscriber())));
            waiting(store.subscribe(K, m.id(), first, false, s1 = new RecordingSubscriber()));
            assertEquals(Refusal.CONFLICT, refused(store.subscribe(K, Cursor.OLDEST, first, false, new RecordingSubscriber())));
            assertEquals(Refusal.CONFLICT, refused(store.subscribe(K, m.id(), first, false, new RecordingSubscriber())));
            assertEquals(1, info(K).subscribers());
            assertEquals(0, s1.calls());
        }

        @Test
        void last_ends_every_waiter_with_conflict_and_proceeds() {
            SubscribePolicy last = sub(ConcurrencyMode.LAST, 0);
            RecordingSubscriber a = new RecordingSubscriber();
            RecordingSubscriber b = new RecordingSubscriber();
            RecordingSubscriber c = new RecordingSubscriber();
            waiting(store.subscribe(K, Cursor.OLDEST, SubscribePolicy.DEFAULT, false, a)); // broadcast location
            waiting(store.subscribe(K, Cursor.OLDEST, SubscribePolicy.DEFAULT, false, b));
            waiting(store.subscribe(K, Cursor.OLDEST, last, false, c));
            assertEquals(List.of(Refusal.CONFLICT), a.ended());
            assertEquals(List.of(Refusal.CONFLICT), b.ended());
            assertEquals(1, info(K).subscribers());
            assertEquals(1, store.stats().subscribers());
            Message m = publish(K, "x");
            assertEquals(List.of(m), c.delivered());
            assertEquals(0, a.delivered().size());
            // a last newcomer that finds a stored message still kicks the waiters
            RecordingSubscriber d = new RecordingSubscriber();
            waiting(store.subscribe(K, m.id(), SubscribePolicy.DEFAULT, false, d));
            assertSame(m, found(store.subscribe(K, Cursor.OLDEST, last, false, new RecordingSubscriber())));
            assertEquals(List.of(Refusal.CONFLICT), d.ended());
        }

        @Test
        void max_subscribers_refuses_when_full_but_an_idle_channel_always_proceeds() {
            SubscribePolicy max2 = sub(ConcurrencyMode.BROADCAST, 2);
            publish(K, "stored");
            assertInstanceOf(Fetch.Found.class, store.subscribe(K, Cursor.OLDEST, max2, false, new RecordingSubscriber()));
            Cursor end = new Cursor(now() + 10, 0);
            waiting(store.subscribe(K, end, max2, false, new RecordingSubscriber()));
            Subscription second = waiting(store.subscribe(K, end, max2, false, new RecordingSubscriber()));
            assertEquals(Refusal.TOO_MANY_SUBSCRIBERS, refused(store.subscribe(K, end, max2, false, new RecordingSubscriber())));
            assertEquals(Refusal.TOO_MANY_SUBSCRIBERS, refused(store.subscribe(K, Cursor.OLDEST, max2, false, new RecordingSubscriber())),
                    "checked before the lookup");
            second.cancel();
            waiting(store.subscribe(K, end, max2, false, new RecordingSubscriber()));
            // the limit is checked before first/last
            assertEquals(Refusal.TOO_MANY_SUBSCRIBERS,
                    refused(store.subscribe(K, end, sub(ConcurrencyMode.LAST, 1), false, new RecordingSubscriber())));
            // a limit of 1 still lets the first one in (current == 0 proceeds)
            waiting(store.subscribe("/other", end, sub(ConcurrencyMode.BROADCAST, 1), false, new RecordingSubscriber()));
        }

        @Test
        void interval_poll_skips_every_check_and_never_counts() { // §4.5
            SubscribePolicy firstAuth = new SubscribePolicy(ConcurrencyMode.FIRST, true, 1, 5);
            assertSame(Fetch.NOT_YET, store.poll(K, Cursor.OLDEST, 5), "creates the channel even for authorized-only setups");
            waiting(store.subscribe(K, Cursor.OLDEST, firstAuth, false, new RecordingSubscriber()));
            assertSame(Fetch.NOT_YET, store.poll(K, Cursor.OLDEST, 5));
            assertEquals(1, info(K).subscribers());
        }

        @Test
        void ignore_queue_waits_for_the_next_message() { // §4.7
            publish(K, "old");
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(store.subscribe(K, Cursor.OLDEST, SubscribePolicy.DEFAULT, true, s));
            Message m = publish(K, "new");
            assertEquals(List.of(m), s.delivered());
        }
    }

    // ----------------------------------------------- authorization and delete

    @Test
    void authorized_only_needs_an_existing_channel() { // §4.3 step 1
        SubscribePolicy auth = new SubscribePolicy(ConcurrencyMode.BROADCAST, true, 0, 5);
        assertEquals(Refusal.NO_SUCH_CHANNEL, refused(store.subscribe(K, Cursor.OLDEST, auth, false, new RecordingSubscriber())));
        assertEquals(0, store.stats().channels(), "not created");
        Message m = publish(K, "hello");
        assertSame(m, found(store.subscribe(K, Cursor.OLDEST, auth, false, new RecordingSubscriber())));
        waiting(store.subscribe(K, m.id(), auth, false, new RecordingSubscriber()));
    }

    @Test
    void delete_returns_prior_info_and_ends_waiters_with_gone() { // §3.3
        assertEquals(Optional.empty(), store.delete(K));
        publish(K, "a");
        publish(K, "b");
        clock.advanceSeconds(3);
        List<RecordingSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSubscriber s = new RecordingSubscriber();
            subs.add(s);
            waiting(subscribe(K, new Cursor(now(), 0), s));
        }
        clock.advanceSeconds(2);
        assertEquals(Optional.of(new ChannelInfo(2, 2, 5)), store.delete(K));
        for (RecordingSubscriber s : subs) {
            assertEquals(List.of(Refusal.GONE), s.ended());
            assertEquals(1, s.calls());
        }
        assertEquals(Optional.empty(), store.info(K, 5));
        assertEquals(Optional.empty(), store.delete(K));
        assertEquals(new StoreStats(0, 0, 0, 0, 32 * MB), store.stats());
        // a later subscriber simply recreates it
        waiting(subscribe(K, Cursor.OLDEST, new RecordingSubscriber()));
        assertEquals(1, store.stats().channels());
    }

    @Test
    void info_does_not_create() {
        assertEquals(Optional.empty(), store.info(K, 5));
        assertEquals(0, store.stats().channels());
    }

    // ----------------------------------------------------------------- cancel

    @Test
    void cancel_is_idempotent_decrements_and_has_no_effect_after_delivery() {
        RecordingSubscriber a = new RecordingSubscriber();
        RecordingSubscriber b = new RecordingSubscriber();
        Subscription sa = waiting(subscribe(K, Cursor.OLDEST, a));
        Subscription sb = waiting(subscribe(K, Cursor.OLDEST, b));
        long withTwo = store.stats().reservedBytes();
        sa.cancel();
        assertEquals(1, info(K).subscribers());
        assertEquals(withTwo - SUBSCRIBER_OVERHEAD_BYTES, store.stats().reservedBytes());
        sa.cancel();
        assertEquals(1, info(K).subscribers());
        assertEquals(1, store.stats().subscribers());
        PublishResult.Published p = publish(K, "x", BufferPolicy.DEFAULT);
        assertEquals(1, p.waiting());
        assertEquals(0, a.calls());
        assertEquals(List.of(p.message()), b.delivered());
        sb.cancel(); // after delivery: nothing
        RecordingSubscriber c = new RecordingSubscriber();
        waiting(subscribe(K, p.message().id(), c));
        sb.cancel();
        assertEquals(1, info(K).subscribers(), "a stale handle does not remove someone else");
        store.delete(K);
        sb.cancel();
        assertEquals(0, store.stats().reservedBytes());
    }

    @Test
    void waiting_lists_every_waiter_in_order_and_nothing_that_left() { // for a graceful stop, §10
        RecordingSubscriber a = new RecordingSubscriber();
        RecordingSubscriber b = new RecordingSubscriber();
        RecordingSubscriber c = new RecordingSubscriber();
        RecordingSubscriber d = new RecordingSubscriber();
        waiting(subscribe(K, Cursor.OLDEST, a));
        Subscription sb = waiting(subscribe(K, Cursor.OLDEST, b));
        waiting(subscribe(K, Cursor.OLDEST, c));
        waiting(subscribe("other", Cursor.OLDEST, d));
        assertEquals(List.of(a, b, c), store.waiting().stream().filter(s -> s != d).toList());
        assertTrue(store.waiting().contains(d));
        sb.cancel();
        assertEquals(List.of(a, c, d), store.waiting().stream().sorted(java.util.Comparator.comparing(s -> s == d)).toList());
        publish(K, "x", BufferPolicy.DEFAULT); // delivered: no longer waiting
        assertEquals(List.of(d), store.waiting());
        store.delete("other");
        assertEquals(List.of(), store.waiting());
    }

    @Test
    void ten_thousand_waiters_register_cancel_and_broadcast_cheaply() {
        List<Subscription> subs = new ArrayList<>();
        List<RecordingSubscriber> recs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            RecordingSubscriber r = new RecordingSubscriber();
            recs.add(r);
            subs.add(waiting(subscribe(K, Cursor.OLDEST, r)));
        }
        for (int i = 0; i < 20_000; i += 2) subs.get(i).cancel(); // O(1) each, from the middle
        assertEquals(10_000, info(K).subscribers());
        PublishResult.Published p = publish(K, "all", BufferPolicy.DEFAULT);
        assertEquals(10_000, p.waiting());
        for (int i = 0; i < 20_000; i++) assertEquals(i % 2, recs.get(i).delivered().size());
        assertEquals(0, store.stats().subscribers());
    }

    // ------------------------------------------------------------ memory budget

    @Nested
    class Budget { // §6.3

        static final String BUSY = "/busy";
        final long channelCost = CHANNEL_OVERHEAD_BYTES + BUSY.length();

        long messageCost(String body) {
            return MESSAGE_OVERHEAD_BYTES + body.length() + "text/plain".length();
        }

        @Test
        void accounting_is_exact_and_returns_to_zero() {
            publish(BUSY, "hello");
            assertEquals(channelCost + messageCost("hello"), store.stats().reservedBytes());
            RecordingSubscriber s = new RecordingSubscriber();
            waiting(subscribe("/w", new Cursor(now() + 1, 0), s));
            assertEquals(channelCost + messageCost("hello") + CHANNEL_OVERHEAD_BYTES + 2 + SUBSCRIBER_OVERHEAD_BYTES,
                    store.stats().reservedBytes());
            BufferPolicy max2 = buffer(1, 2, 5, false, 0);
            for (int i = 0; i < 10; i++) publish(BUSY, "m" + i, max2);
            assertEquals(2, store.stats().messages());
            store.delete("/w");
            assertEquals(List.of(Refusal.GONE), s.ended());
            clock.advanceSeconds(6);
            store.sweep(); // messages expire, then the channel (timeout 0) goes
            assertEquals(new StoreStats(0, 0, 0, 0, 32 * MB), store.stats());
        }

        @Test
        void emergency_gc_collects_idle_channels_then_refuses_with_nothing_changed() {
            long idleCost = CHANNEL_OVERHEAD_BYTES + "/idle".length();
            store = new InMemoryChannelStore(clock, channelCost + idleCost + 2000);
            Message a = publish(BUSY, "a");
            store.poll("/idle", Cursor.OLDEST, 5); // an idle channel, collectable after 5 s
            RecordingSubscriber w = new RecordingSubscriber();
            waiting(subscribe(BUSY, a.id(), w));
            assertEquals(2, store.stats().channels());
            clock.advanceSeconds(6);

            // a message that fits only once /idle is gone
            long free = store.stats().budgetBytes() - store.stats().reservedBytes();
            String body = "x".repeat((int) (free + 100 - messageCost("")));
            PublishResult.Published p = publish(BUSY, body, BufferPolicy.DEFAULT);
            assertEquals(1, p.waiting());
            assertEquals(List.of(p.message()), w.delivered());
            assertEquals(Optional.empty(), store.info("/idle", 5), "collected by the emergency GC");
            assertEquals(1, store.stats().channels());

            RecordingSubscriber w2 = new RecordingSubscriber();
            waiting(subscribe(BUSY, p.message().id(), w2));
            StoreStats before = store.stats();
            ChannelInfo infoBefore = info(BUSY);
            PublishResult r = store.publish(BUSY, new MessageDraft(new byte[1000], null), BufferPolicy.DEFAULT);
            assertEquals(new PublishResult.Rejected(Refusal.OUT_OF_MEMORY), r);
            assertEquals(before, store.stats());
            assertEquals(infoBefore, info(BUSY));
            assertEquals(0, w2.calls(), "nothing delivered");

            // a small store-off publish still fits, and shows the rejected one used up no id
            PublishResult.Published probe = assertInstanceOf(PublishResult.Published.class,
                    store.publish(BUSY, new MessageDraft(new byte[0], null), buffer(0, 0, 0, false, 5)));
            assertEquals(new Cursor(p.message().id().time(), p.message().id().tag() + 1), probe.message().id());
            assertEquals(List.of(probe.message()), w2.delivered());

            // a new channel does not fit: publish, subscribe and poll are refused, nothing created
            before = store.stats();
            assertEquals(new PublishResult.Rejected(Refusal.OUT_OF_MEMORY),
                    store.publish("/new", new MessageDraft(new byte[0], null), BufferPolicy.DEFAULT));
            assertEquals(Refusal.OUT_OF_MEMORY, refused(subscribe("/new", Cursor.OLDEST, new RecordingSubscriber())));
            assertEquals(Refusal.OUT_OF_MEMORY, refused(store.poll("/new", Cursor.OLDEST, 5)));
            assertEquals(Optional.empty(), store.info("/new", 5));
            assertEquals(before, store.stats());

            store.delete(BUSY);
            assertEquals(new StoreStats(0, 0, 0, 0, before.budgetBytes()), store.stats());
        }

        @Test
        void an_encoding_is_charged_while_its_message_is_stored_and_refused_past_the_budget() { // §6.3
            Message m = publish(BUSY, "aaaa", buffer(0, 1, 0, false, 5)).message();
            long stored = store.stats().reservedBytes();
            assertEquals(ChannelStore.Charge.CHARGED, store.chargeEncoding(BUSY, m, 300));
            assertEquals(stored + 300, store.stats().reservedBytes());
            assertEquals(ChannelStore.Charge.NOT_STORED, store.chargeEncoding("/other", m, 300), "no such channel");
            Message next = publish(BUSY, "bbbb", buffer(0, 1, 0, false, 5)).message(); // length 1: m is trimmed
            assertEquals(stored, store.stats().reservedBytes(), "the charge left with the message");
            assertEquals(ChannelStore.Charge.NOT_STORED, store.chargeEncoding(BUSY, m, 300), "no longer stored");
            assertEquals(stored, store.stats().reservedBytes());

            long free = store.stats().budgetBytes() - store.stats().reservedBytes();
            StoreStats before = store.stats();
            assertEquals(ChannelStore.Charge.NO_ROOM, store.chargeEncoding(BUSY, next, free + 1));
            assertEquals(before, store.stats(), "a refused charge changes nothing");
            assertEquals(ChannelStore.Charge.CHARGED, store.chargeEncoding(BUSY, next, free));
            store.delete(BUSY);
            assertEquals(0, store.stats().reservedBytes(), "deleting the channel gives the charge back");
        }

        @Test
        void store_off_still_needs_room_for_the_message_in_flight() {
            BufferPolicy off = buffer(0, 0, 0, false, 5);
            store = new InMemoryChannelStore(clock, channelCost + MESSAGE_OVERHEAD_BYTES - 1);
            assertEquals(new PublishResult.Rejected(Refusal.OUT_OF_MEMORY),
                    store.publish(BUSY, new MessageDraft(new byte[0], null), off));
            assertEquals(0, store.stats().channels());

            store = new InMemoryChannelStore(clock, channelCost + MESSAGE_OVERHEAD_BYTES);
            assertInstanceOf(PublishResult.Published.class, store.publish(BUSY, new MessageDraft(new byte[0], null), off));
            assertEquals(channelCost, store.stats().reservedBytes(), "given back once handed out");
        }

        @Test
        void a_message_bigger_than_the_budget_is_rejected() {
            store = new InMemoryChannelStore(clock, 4096);
            PublishResult r = store.publish(BUSY, new MessageDraft(new byte[5000], null), buffer(0, 0, 0, false, 5));
            assertEquals(new PublishResult.Rejected(Refusal.OUT_OF_MEMORY), r);
            assertEquals(new StoreStats(0, 0, 0, 0, 4096), store.stats());
        }

        @Test
        void trimming_makes_room_for_the_new_message() {
            store = new InMemoryChannelStore(clock, channelCost + 2 * messageCost("aaaa") + 5);
            BufferPolicy max2 = buffer(1, 2, 0, false, 5);
            for (int i = 0; i < 20; i++) publish(BUSY, "m%03d".formatted(i), max2);
            assertEquals(2, info(BUSY).messages());
        }

        @Test
        void a_waiter_needs_room_too() {
            store = new InMemoryChannelStore(clock, channelCost + SUBSCRIBER_OVERHEAD_BYTES);
            waiting(subscribe(BUSY, Cursor.OLDEST, new RecordingSubscriber()));
            assertEquals(Refusal.OUT_OF_MEMORY, refused(subscribe(BUSY, Cursor.OLDEST, new RecordingSubscriber())));
            assertEquals(1, info(BUSY).subscribers());
        }
    }

    @Test
    void close_forgets_everything_without_ending_waiters() {
        RecordingSubscriber s = new RecordingSubscriber();
        Subscription sub = waiting(subscribe(K, Cursor.OLDEST, s));
        publish("/other", "x");
        store.close();
        assertEquals(new StoreStats(0, 0, 0, 0, 32 * MB), store.stats());
        sub.cancel();
        assertEquals(0, s.calls());
        assertNotNull(store.stats());
        assertFalse(store.info(K, 5).isPresent());
    }
}
