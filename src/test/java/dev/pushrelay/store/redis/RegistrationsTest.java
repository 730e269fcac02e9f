package dev.pushrelay.store.redis;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** protocol.md §13: a channel's registrations go out at once until 16 are in flight, then in batches, in order. */
class RegistrationsTest {

    private static Registrations.Pending pending() {
        return new Registrations.Pending(new WaiterHub.Entry(null, Cursor.OLDEST, 5), ConcurrencyMode.BROADCAST,
                false, 0, false, 5, false, new CompletableFuture<>());
    }

    @Test
    void s13_registrations_go_out_alone_until_sixteen_are_in_flight_then_wait_and_go_together_in_order() {
        Registrations r = new Registrations();
        for (int i = 0; i < Registrations.IN_FLIGHT; i++) {
            Registrations.Pending p = pending();
            assertEquals(List.of(p), r.submit("ch", p), "slot " + i + " is free: sent at once");
        }
        List<Registrations.Pending> waiting = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Registrations.Pending p = pending();
            waiting.add(p);
            assertNull(r.submit("ch", p), "every slot busy: it waits");
        }
        assertEquals(1, r.submit("other", pending()).size(), "another channel has its own slots");

        List<Registrations.Pending> first = r.next("ch");
        assertEquals(waiting.subList(0, Registrations.MAX_BATCH), first, "the oldest, in order, at most MAX_BATCH");
        List<Registrations.Pending> second = r.next("ch");
        assertEquals(waiting.subList(Registrations.MAX_BATCH, 300), second);
        // nothing waits any more: each answer frees its slot, and a newcomer goes out at once again
        for (int i = 0; i < Registrations.IN_FLIGHT; i++) assertNull(r.next("ch"));
        Registrations.Pending late = pending();
        assertSame(late, r.submit("ch", late).get(0));
    }

    @Test
    void s13_a_newcomer_queues_behind_waiting_registrations_even_when_a_slot_just_freed() {
        Registrations r = new Registrations();
        for (int i = 0; i < Registrations.IN_FLIGHT; i++) r.submit("ch", pending());
        Registrations.Pending queued = pending();
        assertNull(r.submit("ch", queued));
        assertEquals(List.of(queued), r.next("ch"), "the freed slot takes the one that waited");
        Registrations.Pending after = pending();
        assertNull(r.submit("ch", after), "still 16 in flight: it waits");
        assertEquals(List.of(after), r.next("ch"));
    }

    @Test
    void s13_the_long_polls_of_one_io_turn_go_out_in_one_batch_in_order_and_wait_while_sixteen_are_in_flight() {
        Registrations r = new Registrations();
        List<Registrations.Pending> turn = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Registrations.Pending p = pending();
            turn.add(p);
            assertEquals(i == 0, r.queue("ch", p), "only the first of the turn asks for a drain");
        }
        Registrations.Pending other = pending();
        assertNull(r.submit("ch", other), "a registration from elsewhere joins the batch due");
        turn.add(other);
        assertEquals(turn, r.drain("ch"), "the turn's registrations, one batch, in arrival order");
        assertNull(r.drain("ch"), "nothing left");
        for (int i = 1; i < Registrations.IN_FLIGHT; i++) {
            r.queue("ch", pending());
            assertEquals(1, r.drain("ch").size());
        }
        Registrations.Pending full = pending();
        assertEquals(true, r.queue("ch", full));
        assertNull(r.drain("ch"), "16 scripts in flight: the batch waits for an answer");
        assertEquals(List.of(full), r.next("ch"), "an answer sends what waited in its slot");
        for (int i = 0; i < Registrations.IN_FLIGHT; i++) assertNull(r.next("ch"));
        Registrations.Pending lone = pending();
        assertEquals(List.of(lone), r.submit("ch", lone), "all answered: the channel starts afresh");
    }
}
