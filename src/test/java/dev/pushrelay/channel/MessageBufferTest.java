package dev.pushrelay.channel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageBufferTest {

    private static final long T = 1_700_000_000L;

    private final MessageBuffer buffer = new MessageBuffer();

    /** Publishes a message the way the store does: next id, append with max. */
    private Message publish(long now, String body, long expires, int max) {
        Message m = new Message(buffer.nextId(now), body.getBytes(StandardCharsets.UTF_8), "text/plain",
                expires, Message.NEVER);
        buffer.append(m, max);
        return m;
    }

    private Message publish(long now, String body) {
        return publish(now, body, 0, 100);
    }

    @Test
    void tags_count_within_a_second_and_restart_at_zero_next_second() { // protocol.md §3.2
        assertEquals(new Cursor(T, 0), publish(T, "a").id());
        assertEquals(new Cursor(T, 1), publish(T, "b").id());
        assertEquals(new Cursor(T, 2), publish(T, "c").id());
        assertEquals(new Cursor(T + 1, 0), publish(T + 1, "d").id());
        assertEquals(new Cursor(T + 1, 1), publish(T + 1, "e").id());
        assertEquals(new Cursor(T + 5, 0), publish(T + 5, "f").id());
    }

    @Test
    void ids_keep_counting_in_the_same_second_when_nothing_is_stored() {
        // Improvement over protocol.md §4.2's edge case: the module would restart at tag 0.
        publish(T, "a", 0, 0);
        publish(T, "b", 0, 0);
        assertEquals(0, buffer.size());
        assertEquals(new Cursor(T, 2), buffer.nextId(T));
        assertEquals(new Cursor(T + 1, 0), buffer.nextId(T + 1));
    }

    @Test
    void ids_keep_counting_after_the_queue_was_emptied() {
        publish(T, "a");
        publish(T, "b");
        buffer.removeOldest();
        buffer.removeOldest();
        Message c = publish(T, "c");
        assertEquals(new Cursor(T, 2), c.id());
        assertSame(c, buffer.find(new Cursor(T, 1)), "a client holding T:1 still finds the new message");
    }

    @Test
    void a_clock_step_back_never_reuses_an_id() {
        publish(T, "a");
        assertEquals(new Cursor(T, 1), publish(T - 3, "b").id());
    }

    @Test
    void append_rejects_an_id_that_is_not_newer() {
        publish(T, "a");
        Message stale = new Message(new Cursor(T, 0), new byte[0], null, 0, Message.NEVER);
        assertThrows(IllegalArgumentException.class, () -> buffer.append(stale, 10));
    }

    @Test
    void find_walks_same_second_messages_without_loss_or_duplication() { // protocol.md §4.2
        List<Message> published = new ArrayList<>();
        for (int i = 0; i < 7; i++) published.add(publish(T, "s" + i));
        for (int i = 0; i < 3; i++) published.add(publish(T + 1, "n" + i));
        List<Message> walked = new ArrayList<>();
        Cursor cursor = Cursor.OLDEST;
        for (Message m = buffer.find(cursor); m != null; m = buffer.find(cursor)) {
            walked.add(m);
            cursor = m.id();
        }
        assertEquals(published, walked);
    }

    @Test
    void oldest_cursor_finds_the_oldest_message_and_newest_cursor_finds_nothing() {
        Message a = publish(T, "a");
        publish(T, "b");
        Message c = publish(T + 2, "c");
        assertSame(a, buffer.find(Cursor.OLDEST));
        assertNull(buffer.find(c.id()));
        assertNull(buffer.find(new Cursor(T + 9, 0)), "a cursor past the newest waits");
        assertNull(new MessageBuffer().find(Cursor.OLDEST), "empty queue");
    }

    @Test
    void a_cursor_older_than_everything_stored_gets_the_oldest_still_stored() {
        publish(T, "a", 0, 2);
        Message b = publish(T, "b", 0, 2);
        publish(T, "c", 0, 2); // trims a
        assertSame(b, buffer.find(new Cursor(T, 0)));
        assertSame(b, buffer.find(new Cursor(T - 100, 7)));
    }

    @Test
    void a_cursor_between_seconds_finds_the_next_second() {
        publish(T, "a");
        Message b = publish(T + 5, "b");
        // If-Modified-Since = T, If-None-Match = 0 (or any tag >= the last one of T)
        assertSame(b, buffer.find(new Cursor(T, 0)));
        assertSame(b, buffer.find(new Cursor(T + 2, 0)));
    }

    @Test
    void trim_removes_exactly_one_oldest_message_per_append() { // protocol.md §5.3
        for (int i = 0; i < 5; i++) publish(T, "m" + i, 0, 10);
        assertEquals(5, buffer.size());
        Message trimmed = buffer.append(new Message(buffer.nextId(T), new byte[1], null, 0, Message.NEVER), 3);
        assertEquals("m0", new String(bytes(trimmed), StandardCharsets.UTF_8));
        assertEquals(5, buffer.size(), "a smaller max trims one per publish, so the length stays put");
        publish(T, "x", 0, 3);
        assertEquals(5, buffer.size());
        assertEquals("m2", new String(bytes(buffer.oldest()), StandardCharsets.UTF_8));
        publish(T, "y", 0, 10);
        assertEquals(6, buffer.size(), "no trim while the queue is within max");
    }

    @Test
    void max_zero_stores_nothing() { // protocol.md §5.7
        publish(T, "kept", 0, 10);
        publish(T, "not stored", 0, 0);
        assertEquals(1, buffer.size());
    }

    @Test
    void expiry_is_strictly_after_and_removes_non_head_messages_too() { // protocol.md §5.6
        Message longLived = publish(T, "long", T + 100, 10);
        publish(T, "short1", T + 2, 10);
        publish(T, "short2", T + 2, 10);
        Message never = publish(T, "never", 0, 10);
        assertEquals(0, buffer.removeExpired(T + 2), "now == expires is not expired");
        assertEquals(4, buffer.size());
        assertEquals(2, buffer.removeExpired(T + 3));
        assertEquals(List.of(longLived, never), walk());
        assertSame(never, buffer.find(longLived.id()), "the expired middle messages are never returned");
        assertEquals(1, buffer.removeExpired(T + 101));
        assertEquals(List.of(never), walk());
        assertEquals(0, buffer.removeExpired(Long.MAX_VALUE));
    }

    @Test
    void received_counts_and_charged_bytes_stay_with_their_message_through_expiry_and_growth() { // §5.5, §6.3
        Message a = publish(T, "a", T + 1, 100); // expires first
        Message b = publish(T, "bb");
        buffer.addReceived(b, 3);
        assertTrue(buffer.charge(b, 100));
        assertEquals(0, buffer.oldestReceived(), "a was never received");
        assertEquals(1 + 10 + 2 + 10 + 100, buffer.bytes());
        assertEquals(1, buffer.removeExpired(T + 2)); // compacts b to the front
        assertEquals(3, buffer.oldestReceived());
        assertEquals(2 + 10 + 100, buffer.oldestBytes());
        for (int i = 0; i < 20; i++) publish(T + 3, "x" + i); // the ring grows, slots move
        assertEquals(3, buffer.oldestReceived());
        buffer.addReceived(a, 5); // no longer stored: nothing counted, nothing fails
        assertFalse(buffer.charge(a, 10));
        assertSame(b, buffer.removeOldest());
        assertEquals(0, buffer.oldestReceived());
        assertEquals(20 * 10 + 10 * 2 + 10 * 3, buffer.bytes(), "b's charged bytes left with it");
    }

    @Test
    void bytes_track_body_and_content_type() {
        Message a = publish(T, "hello"); // 5 + "text/plain" (10)
        assertEquals(15, buffer.bytes());
        assertEquals(15, MessageBuffer.payloadBytes(a));
        Message b = new Message(buffer.nextId(T), new byte[7], null, T + 1, Message.NEVER);
        buffer.append(b, 10);
        assertEquals(22, buffer.bytes());
        buffer.removeExpired(T + 2);
        assertEquals(15, buffer.bytes());
        buffer.removeOldest();
        assertEquals(0, buffer.bytes());
        assertEquals(2 * 3, MessageBuffer.stringBytes("a\u20acb"), "non-Latin-1 strings take two bytes a char");
    }

    @Test
    void ring_buffer_survives_growth_wraparound_and_shrinking() {
        List<Message> expected = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            expected.add(publish(T + round / 7, "m" + round, 0, 1000));
            if (round % 3 == 0) {
                assertSame(expected.remove(0), buffer.removeOldest());
            }
        }
        assertEquals(expected, walk());
        while (buffer.size() > 2) buffer.removeOldest();
        assertEquals(expected.subList(expected.size() - 2, expected.size()), walk());
        assertSame(expected.get(expected.size() - 1), buffer.newest());
    }

    @Test
    void clear_keeps_the_id_counter() {
        publish(T, "a");
        buffer.clear();
        assertTrue(buffer.isEmpty());
        assertEquals(0, buffer.bytes());
        assertEquals(new Cursor(T, 1), buffer.nextId(T));
    }

    private List<Message> walk() {
        List<Message> out = new ArrayList<>();
        for (Message m = buffer.find(Cursor.OLDEST); m != null; m = buffer.find(m.id())) out.add(m);
        return out;
    }

    private static byte[] bytes(Message m) {
        byte[] b = new byte[m.length()];
        m.body().get(b);
        return b;
    }

    @Test
    void forgotten_through_is_the_newest_id_no_longer_stored() { // protocol.md §14.5
        assertNull(buffer.forgottenThrough());
        publish(T, "a", 0, 2);
        publish(T, "b", 0, 2);
        assertNull(buffer.forgottenThrough(), "all stored");
        publish(T, "c", 0, 2);
        assertEquals(new Cursor(T, 0), buffer.forgottenThrough(), "a trimmed");
        Message d = publish(T + 1, "d", 0, 2);
        publish(T + 1, "e", 0, 2);
        assertEquals(new Cursor(T, 2), buffer.forgottenThrough(), "c trimmed");
        publish(T + 1, "f", 0, 0);
        assertEquals(new Cursor(T + 1, 2), buffer.forgottenThrough(), "f never stored");
        publish(T + 2, "g", T + 20, 5);
        publish(T + 2, "h", 0, 5);
        assertEquals(1, buffer.removeExpired(T + 21));
        assertEquals(new Cursor(T + 2, 0), buffer.forgottenThrough(), "g expired though h stays");
        assertSame(d, buffer.removeOldest());
        assertEquals(new Cursor(T + 2, 0), buffer.forgottenThrough(), "the newest forgotten id only grows");
        buffer.clear();
        assertEquals(new Cursor(T + 2, 1), buffer.forgottenThrough(), "a delete forgets everything");
    }
}
