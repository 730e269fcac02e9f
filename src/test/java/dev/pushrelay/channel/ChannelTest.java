package dev.pushrelay.channel;

import dev.pushrelay.testing.RecordingSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelTest {

    static final long T = 1_700_000_000L;
    final Channel channel = new Channel("/a", T, 5);

    @BeforeEach
    void lock() { channel.lock(); }

    @AfterEach
    void unlock() { channel.unlock(); }

    static List<Subscriber> list(Iterable<Subscriber> it) {
        List<Subscriber> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    @Test
    void waiters_are_removed_from_head_middle_and_tail_and_taken_in_order() {
        List<RecordingSubscriber> subs = new ArrayList<>();
        List<Channel.Waiter> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSubscriber s = new RecordingSubscriber();
            subs.add(s);
            nodes.add(channel.addWaiter(s));
        }
        assertTrue(channel.removeWaiter(nodes.get(0)));
        assertTrue(channel.removeWaiter(nodes.get(2)));
        assertTrue(channel.removeWaiter(nodes.get(4)));
        assertFalse(channel.removeWaiter(nodes.get(2)), "idempotent");
        assertEquals(2, channel.waiting());
        Channel.Waiters taken = channel.takeWaiters();
        assertEquals(List.of(subs.get(1), subs.get(3)), list(taken));
        assertEquals(0, channel.waiting());
        assertFalse(channel.removeWaiter(nodes.get(1)), "a taken waiter is not removed again");
        assertEquals(2, taken.size());
        assertEquals(List.of(subs.get(1), subs.get(3)), list(taken), "the taken list is left alone");
        Channel.Waiter late = channel.addWaiter(subs.get(0));
        assertEquals(1, channel.waiting());
        assertTrue(channel.removeWaiter(late));
        assertTrue(channel.takeWaiters().isEmpty());
    }

    @Test
    void deletable_only_when_empty_unwatched_and_past_the_idle_deadline() { // protocol.md §6.2
        assertFalse(channel.isDeletable(T + 4));
        assertTrue(channel.isDeletable(T + 5));
        channel.extendIdleDeadline(T + 5, 5);
        assertFalse(channel.isDeletable(T + 9));
        Channel.Waiter w = channel.addWaiter(new RecordingSubscriber());
        assertFalse(channel.isDeletable(T + 100));
        channel.removeWaiter(w);
        channel.buffer().append(new Message(new Cursor(T, 0), new byte[1], null, 0, Message.NEVER), 10);
        assertFalse(channel.isDeletable(T + 100));
        channel.buffer().removeOldest();
        assertTrue(channel.isDeletable(T + 100));
    }

    @Test
    void info_reports_seconds_since_last_subscriber_lookup() { // protocol.md §3.4
        assertEquals(new ChannelInfo(0, 3, 0), channel.info(T + 3));
        channel.markSeen(T + 3);
        channel.addWaiter(new RecordingSubscriber());
        assertEquals(new ChannelInfo(0, 1, 1), channel.info(T + 4));
    }
}
