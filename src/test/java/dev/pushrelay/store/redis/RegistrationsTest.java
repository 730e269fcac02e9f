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
}
