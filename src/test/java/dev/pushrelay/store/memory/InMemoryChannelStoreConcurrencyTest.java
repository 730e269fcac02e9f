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
import dev.pushrelay.store.StoreStats;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.pushrelay.testing.Messages.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads at once, bounded by work counts (no sleeping, no timing): every
 * subscriber gets every message exactly once and in order, and removal races lose nothing.
 */
class InMemoryChannelStoreConcurrencyTest {

    final MutableClock clock = new MutableClock();
    final InMemoryChannelStore store = new InMemoryChannelStore(clock, 256L << 20);
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final CountDownLatch start = new CountDownLatch(1);
    final List<Thread> threads = new ArrayList<>();
    /** Set when a thread fails, so the others stop waiting for work that will never come. */
    final AtomicBoolean failed = new AtomicBoolean();
    final ConcurrentLinkedQueue<CompletableFuture<?>> pending = new ConcurrentLinkedQueue<>();

    void spawn(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                start.await();
                body.run();
            } catch (Throwable e) {
                errors.add(e);
                failed.set(true);
                pending.forEach(f -> f.completeExceptionally(new IllegalStateException("another thread failed")));
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    void runAll() throws InterruptedException {
        start.countDown();
        for (Thread t : threads) t.join();
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(errors.size() + " thread(s) failed");
            errors.forEach(e::addSuppressed);
            throw e;
        }
    }

    @Test
    void every_subscriber_gets_every_message_exactly_once_in_order() throws InterruptedException {
        final String key = "/smoke";
        final int publishers = 3;
        final int perPublisher = 400;
        final int total = publishers * perPublisher;
        final int longPollers = 4;
        BufferPolicy keepAll = new BufferPolicy(1, total, 0, false, 5);

        for (int p = 0; p < publishers; p++) {
            final int pub = p;
            spawn("publisher-" + p, () -> {
                for (int i = 0; i < perPublisher; i++) {
                    PublishResult r = store.publish(key,
                            new MessageDraft((pub + ":" + i).getBytes(StandardCharsets.UTF_8), "text/plain"), keepAll);
                    assertInstanceOf(PublishResult.Published.class, r);
                    if (pub == 0 && i % 97 == 0) {
                        clock.advanceSeconds(1); // some seconds hold many tags, some change mid-stream
                    }
                }
            });
        }
        List<List<Message>> received = new ArrayList<>();
        for (int s = 0; s < longPollers; s++) {
            List<Message> got = new ArrayList<>();
            received.add(got);
            spawn("long-poller-" + s, () -> {
                Cursor cursor = Cursor.OLDEST;
                while (got.size() < total) {
                    CompletableFuture<Message> next = new CompletableFuture<>();
                    pending.add(next);
                    if (failed.get()) return;
                    RecordingSubscriber rs = new RecordingSubscriber()
                            .onDeliver(next::complete)
                            .onEnd(why -> next.completeExceptionally(new AssertionError("ended: " + why)));
                    Fetch f = store.subscribe(key, cursor, SubscribePolicy.DEFAULT, false, rs);
                    Message m;
                    if (f instanceof Fetch.Found found) {
                        m = found.message();
                    } else if (f instanceof Fetch.Waiting) {
                        m = next.join(); // a publish must come: not everything was received yet
                    } else {
                        throw new AssertionError("unexpected " + f);
                    }
                    assertTrue(rs.calls() <= 1);
                    pending.remove(next);
                    got.add(m);
                    cursor = m.id();
                }
            });
        }
        List<Message> polled = new ArrayList<>();
        spawn("interval-poller", () -> {
            Cursor cursor = Cursor.OLDEST;
            while (polled.size() < total && !failed.get()) {
                Fetch f = store.poll(key, cursor, 5);
                if (f instanceof Fetch.Found found) {
                    polled.add(found.message());
                    cursor = found.message().id();
                } else {
                    Thread.yield(); // 304: ask again (bounded: the publishers finish)
                }
            }
        });
        runAll();

        Set<String> expected = new HashSet<>();
        for (int p = 0; p < publishers; p++) {
            for (int i = 0; i < perPublisher; i++) expected.add(p + ":" + i);
        }
        received.add(polled);
        List<Message> reference = received.get(0);
        for (List<Message> got : received) {
            assertEquals(total, got.size());
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i).id().isAfter(got.get(i - 1).id()), "ids strictly increase");
            }
            Set<String> bodies = new HashSet<>();
            int[] lastSeq = new int[publishers];
            java.util.Arrays.fill(lastSeq, -1);
            for (Message m : got) {
                String[] parts = text(m).split(":");
                int p = Integer.parseInt(parts[0]);
                int i = Integer.parseInt(parts[1]);
                assertEquals(lastSeq[p] + 1, i, "each publisher's messages in its order");
                lastSeq[p] = i;
                bodies.add(text(m));
            }
            assertEquals(expected, bodies, "every message exactly once");
            assertEquals(reference, got, "everyone sees the same sequence");
        }
        StoreStats stats = store.stats();
        assertEquals(total, stats.messages());
        assertEquals(0, stats.subscribers());
        assertEquals(1, stats.channels());
    }

    @Test
    void removal_races_lose_no_subscriber_and_accounting_stays_exact() throws InterruptedException {
        // Channel timeout 0 and nothing stored: a channel is collectable the moment it has no
        // waiter, so the sweeper keeps removing channels the workers keep re-creating.
        final int rounds = 3000;
        BufferPolicy storeOff = new BufferPolicy(0, 0, 0, false, 0);
        SubscribePolicy sub = new SubscribePolicy(ConcurrencyMode.BROADCAST, false, 0, 0);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch workersLeft = new CountDownLatch(5);

        for (int w = 0; w < 2; w++) {
            final String key = "/race" + w;
            spawn("pub-sub-" + w, () -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        RecordingSubscriber s = new RecordingSubscriber();
                        assertInstanceOf(Fetch.Waiting.class, store.subscribe(key, Cursor.OLDEST, sub, false, s));
                        PublishResult.Published p = assertInstanceOf(PublishResult.Published.class,
                                store.publish(key, new MessageDraft(new byte[16], null), storeOff));
                        assertEquals(1, p.waiting(), "the publish found the channel its subscriber waits on");
                        assertEquals(List.of(p.message()), s.delivered());
                        // leave a subscriber that goes away: the channel becomes collectable again
                        Fetch f = store.subscribe(key, Cursor.OLDEST, sub, false, new RecordingSubscriber());
                        assertInstanceOf(Fetch.Waiting.class, f).subscription().cancel();
                        store.poll(key, Cursor.OLDEST, 0);
                    }
                } finally {
                    workersLeft.countDown();
                }
            });
        }
        for (int w = 0; w < 2; w++) {
            final String key = "/race" + w;
            spawn("poller-" + w, () -> {
                try {
                    for (int i = 0; i < 4 * rounds; i++) {
                        // creates the channel when it is gone and competes for its lock with the sweeper
                        assertEquals(Fetch.NOT_YET, store.poll(key, Cursor.OLDEST, 0));
                    }
                } finally {
                    workersLeft.countDown();
                }
            });
        }
        spawn("subscribe-delete", () -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    RecordingSubscriber s = new RecordingSubscriber();
                    assertInstanceOf(Fetch.Waiting.class, store.subscribe("/del", Cursor.OLDEST, sub, false, s));
                    Optional<ChannelInfo> info = store.delete("/del");
                    assertEquals(1, info.orElseThrow().subscribers());
                    assertEquals(List.of(Refusal.GONE), s.ended());
                }
            } finally {
                workersLeft.countDown();
            }
        });
        spawn("sweeper", () -> {
            while (!done.get()) {
                store.sweep();
                if (workersLeft.getCount() == 0) done.set(true);
            }
        });
        runAll();

        clock.advanceSeconds(1);
        store.sweep();
        assertEquals(new StoreStats(0, 0, 0, 0, 256L << 20), store.stats());
    }
}
