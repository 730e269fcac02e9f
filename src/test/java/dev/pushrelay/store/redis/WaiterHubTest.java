package dev.pushrelay.store.redis;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §13: a node's waiters are ended by generation, whatever order the script
 * replies and the announcements arrive in.
 */
class WaiterHubTest {

    private static final Subscriber NOBODY = new Subscriber() {
        @Override
        public boolean deliver(Message message) {
            return true;
        }

        @Override
        public void end(Refusal why) {
        }
    };

    private final WaiterHub hub = new WaiterHub();
    private final List<String> log = new ArrayList<>();

    private static WaiterHub.Entry entry() {
        return new WaiterHub.Entry(NOBODY, Cursor.OLDEST, 5);
    }

    private static WaiterHub.Event publish(long gen) {
        return new WaiterHub.Event(gen, WaiterHub.Kind.PUBLISH,
                new Message(new Cursor(100, gen), new byte[0], null, 0, Message.NEVER));
    }

    private void announce(String key, WaiterHub.Event ev) {
        hub.announce(key, ev, (e, by) -> log.add("ended " + e.gen + " by " + by.gen()),
                (k, e) -> log.add("missed " + e.gen));
    }

    @Test
    void s13_an_announcement_ends_exactly_the_waiters_registered_below_its_generation() {
        WaiterHub.Entry before = entry();
        WaiterHub.Entry after = entry();
        hub.enter("c");
        assertSame(WaiterHub.PARKED, hub.registered("c", before, 7));
        hub.enter("c");
        assertSame(WaiterHub.PARKED, hub.registered("c", after, 8));
        announce("c", publish(8));
        assertEquals(List.of("ended 7 by 8"), log);
        assertEquals(1, hub.size(), "the waiter registered under 8 still waits");
    }

    @Test
    void s13_a_reply_that_arrives_after_the_announcement_that_ended_it_is_not_parked() {
        WaiterHub.Entry late = entry();
        hub.enter("c");
        announce("c", publish(4)); // the script registered it under 3, the publish came first
        WaiterHub.Outcome o = hub.registered("c", late, 3);
        WaiterHub.Outcome.Ended ended = assertInstanceOf(WaiterHub.Outcome.Ended.class, o);
        assertEquals(4, ended.by().gen());
        assertEquals(0, hub.size());
    }

    @Test
    void s13_a_waiter_that_missed_an_announcement_is_read_again_not_handed_the_wrong_message() {
        WaiterHub.Entry e = entry();
        hub.enter("c");
        hub.registered("c", e, 2);
        announce("c", publish(5)); // 3 and 4 were lost (the notification connection was cut)
        assertEquals(List.of("missed 2"), log);
    }

    @Test
    void s13_a_waiter_read_again_is_ended_by_the_delete_that_ends_its_previous_registration() {
        WaiterHub.Entry e = entry();
        hub.enter("c");
        hub.registered("c", e, 6);
        assertEquals(List.of(e), hub.takeAllForCatchUp("c")); // read again (catch-up) ...
        announce("c", new WaiterHub.Event(7, WaiterHub.Kind.DELETE, null)); // ... as the channel is deleted
        // Redis ran the re-read after the delete: a new channel, a new generation
        WaiterHub.Outcome o = hub.registered("c", e, 1_000_000);
        WaiterHub.Outcome.Ended ended = assertInstanceOf(WaiterHub.Outcome.Ended.class, o);
        assertEquals(WaiterHub.Kind.DELETE, ended.by().kind());
        assertEquals(0, hub.size(), "not parked on the channel created anew");
    }

    @Test
    void s13_cancel_gives_the_generation_to_uncount_once() {
        WaiterHub.Entry e = entry();
        hub.enter("c");
        hub.registered("c", e, 9);
        assertEquals(9, hub.cancel("c", e));
        assertEquals(-1, hub.cancel("c", e), "a second cancel uncounts nothing");
        assertTrue(hub.keys().isEmpty(), "an idle channel is forgotten");
    }

    @Test
    void s13_an_announcement_heard_twice_ends_each_waiter_once_and_is_remembered_once() {
        WaiterHub.Entry parked = entry();
        hub.enter("c");
        assertSame(WaiterHub.PARKED, hub.registered("c", parked, 0));
        hub.enter("c"); // a registration in flight keeps the history
        for (long g = 1; g <= 16; g++) { // each heard on two subscriptions
            announce("c", publish(g));
            announce("c", publish(g));
        }
        assertEquals(List.of("ended 0 by 1"), log);
        WaiterHub.Outcome o = hub.registered("c", entry(), 2);
        WaiterHub.Outcome.Ended ended = assertInstanceOf(WaiterHub.Outcome.Ended.class, o,
                "16 distinct announcements fill the history; duplicates take no slot");
        assertEquals(3, ended.by().gen());
    }
}
