package dev.pushrelay.store.memory;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stream as a standing subscriber of the in-memory store (protocol.md §14.3, §14.4). */
class FollowingStreamsTest {

    static final String K = "/ch";
    final MutableClock clock = new MutableClock();
    final InMemoryChannelStore store = new InMemoryChannelStore(clock, 32L << 20);

    @AfterEach
    void close() {
        store.close();
        assertEquals(0, store.stats().reservedBytes(), "close gives everything back");
        assertEquals(0, store.stats().subscribers(), "no stream left counted");
    }

    Message publish(String body) {
        PublishResult r = store.publish(K, new MessageDraft(body.getBytes(StandardCharsets.UTF_8), "text/plain"),
                BufferPolicy.DEFAULT);
        return assertInstanceOf(PublishResult.Published.class, r).message();
    }

    Fetch.Following follow(Cursor after, SubscribePolicy policy, RecordingSubscriber s) {
        return assertInstanceOf(Fetch.Following.class, store.follow(K, after, policy, false, s));
    }

    static List<String> bodies(List<Message> ms) {
        List<String> out = new ArrayList<>();
        for (Message m : ms) out.add(StandardCharsets.UTF_8.decode(m.body()).toString());
        return out;
    }

    @Test
    void answers_what_is_stored_then_gets_every_message_once_and_stays_registered() {
        Message a = publish("a");
        publish("b");
        RecordingSubscriber s = new RecordingSubscriber();
        Fetch.Following f = follow(a.id(), SubscribePolicy.DEFAULT, s);
        assertEquals(List.of("b"), bodies(f.stored()));
        assertEquals(f.stored().get(0).id(), f.through());
        publish("c");
        publish("d");
        assertEquals(List.of("c", "d"), bodies(s.delivered()));
        assertEquals(1, store.info(K, 5).orElseThrow().subscribers(), "one stream, one subscriber (§14.4)");
        f.subscription().cancel();
        publish("e");
        assertEquals(List.of("c", "d"), bodies(s.delivered()), "nothing after cancel");
        assertEquals(0, store.info(K, 5).orElseThrow().subscribers());
    }

    @Test
    void counts_as_a_waiting_subscriber_for_201_limits_and_first() {
        RecordingSubscriber s = new RecordingSubscriber();
        follow(Cursor.OLDEST, SubscribePolicy.DEFAULT, s);
        PublishResult.Published p = assertInstanceOf(PublishResult.Published.class,
                store.publish(K, new MessageDraft(new byte[] {1}, null), BufferPolicy.DEFAULT));
        assertEquals(1, p.waiting(), "201: a stream got it");
        SubscribePolicy limited = new SubscribePolicy(ConcurrencyMode.BROADCAST, false, 1, 5);
        assertEquals(Refusal.TOO_MANY_SUBSCRIBERS, assertInstanceOf(Fetch.Refused.class,
                store.subscribe(K, p.message().id(), limited, false, new RecordingSubscriber())).why());
        SubscribePolicy first = new SubscribePolicy(ConcurrencyMode.FIRST, false, 0, 5);
        assertEquals(Refusal.CONFLICT, assertInstanceOf(Fetch.Refused.class,
                store.follow(K, p.message().id(), first, false, new RecordingSubscriber())).why());
        store.sweep();
        assertTrue(store.info(K, 5).isPresent(), "a followed channel is not collected");
    }

    @Test
    void last_ends_a_stream_with_conflict_and_delete_with_gone() {
        RecordingSubscriber older = new RecordingSubscriber();
        follow(Cursor.OLDEST, SubscribePolicy.DEFAULT, older);
        SubscribePolicy last = new SubscribePolicy(ConcurrencyMode.LAST, false, 0, 5);
        RecordingSubscriber newer = new RecordingSubscriber();
        follow(Cursor.OLDEST, last, newer);
        assertEquals(List.of(Refusal.CONFLICT), older.ended());
        store.delete(K);
        assertEquals(List.of(Refusal.GONE), newer.ended());
        assertEquals(0, older.delivered().size() + newer.delivered().size());
    }

    @Test
    void newest_skips_what_is_stored_and_through_names_the_channel_end() {
        Message a = publish("a");
        RecordingSubscriber s = new RecordingSubscriber();
        Fetch.Following f = assertInstanceOf(Fetch.Following.class,
                store.follow(K, Cursor.OLDEST, SubscribePolicy.DEFAULT, true, s));
        assertEquals(List.of(), f.stored());
        assertEquals(a.id(), f.through());
    }

    @Test
    void concurrent_publishers_reach_every_stream_in_publish_order() throws Exception {
        int streams = 20;
        int threads = 4;
        int each = 500;
        List<RecordingSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            RecordingSubscriber s = new RecordingSubscriber();
            follow(Cursor.OLDEST, SubscribePolicy.DEFAULT, s);
            subs.add(s);
        }
        BufferPolicy keepAll = new BufferPolicy(0, threads * each, 0, false, 5);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) store.publish(K, new MessageDraft(new byte[] {1}, null), keepAll);
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) th.join(TimeUnit.SECONDS.toMillis(60));
        for (RecordingSubscriber s : subs) {
            List<Message> got = s.delivered();
            assertEquals(threads * each, got.size(), "every message once");
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i).id().isAfter(got.get(i - 1).id()), "in publish order at " + i);
            }
        }
    }
}
