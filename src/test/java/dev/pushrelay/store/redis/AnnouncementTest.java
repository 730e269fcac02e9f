package dev.pushrelay.store.redis;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** protocol.md §13: the announcements channel.lua publishes, read back byte for byte. */
class AnnouncementTest {

    private static byte[] wire(String head, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void s13_a_publish_carries_the_message_as_stored_with_its_id_type_and_body() {
        byte[] key = "grp/ch\u00e9".getBytes(StandardCharsets.UTF_8);
        byte[] body = {'a', '|', 0, (byte) 0xff, ' '};
        Announcement a = Announcement.parse(wire("P 42 1700000000 3 " + key.length + " 1 10 1700003600 2|",
                key, "text/plain".getBytes(StandardCharsets.ISO_8859_1), body));
        assertEquals("grp/ch\u00e9", a.key());
        assertEquals(42, a.event().gen());
        assertEquals(WaiterHub.Kind.PUBLISH, a.event().kind());
        Message m = a.event().message();
        assertEquals(new Cursor(1700000000, 3), m.id());
        assertEquals("text/plain", m.contentType());
        assertEquals(1700003600, m.expires());
        assertEquals(2, m.deleteOldestReceivedMin());
        byte[] got = new byte[m.length()];
        m.body().get(got);
        assertArrayEquals(body, got);
    }

    @Test
    void s13_the_key_alone_is_read_without_the_body_and_garbage_is_refused() {
        byte[] key = "grp/ch\u00e9".getBytes(StandardCharsets.UTF_8);
        byte[] msg = wire("P 42 1700000000 3 " + key.length + " 1 10 1700003600 2|", key,
                "text/plain".getBytes(StandardCharsets.ISO_8859_1), new byte[] {'b', '|'});
        assertEquals("grp/ch\u00e9", Announcement.key(msg));
        assertEquals(Announcement.parse(msg).key(), Announcement.key(msg));
        assertEquals("c", Announcement.key(wire("D 8 0 0 1 0 0 0 0|c")));
        assertNull(Announcement.key(wire("P 1 5 0 9 0 0 0 -1|c")), "a key longer than the message");
        assertNull(Announcement.key(wire("P 1 5 0 x 0 0 0 -1|c")));
        assertNull(Announcement.key(wire("P 1 5 0 1 0 0 0|c")), "eight head fields");
        assertNull(Announcement.key(wire("no bar at all")));
    }

    @Test
    void s13_no_content_type_kicks_and_deletes() {
        Announcement none = Announcement.parse(wire("P 1 5 0 1 0 0 0 -1|", "c".getBytes(StandardCharsets.UTF_8)));
        assertNull(none.event().message().contentType());
        assertEquals(Message.NEVER, none.event().message().deleteOldestReceivedMin());
        assertEquals(0, none.event().message().length());
        assertEquals(WaiterHub.Kind.KICK, Announcement.parse(wire("K 7 0 0 1 0 0 0 0|c")).event().kind());
        assertEquals(WaiterHub.Kind.DELETE, Announcement.parse(wire("D 8 0 0 1 0 0 0 0|c")).event().kind());
    }

    @Test
    void s13_anything_else_is_ignored() {
        assertNull(Announcement.parse(wire("hello")));
        assertNull(Announcement.parse(wire("X 1 0 0 1 0 0 0 0|c")));
        assertNull(Announcement.parse(wire("P 1 0 0 9 0 0 0 0|c")), "key longer than the message");
        assertNull(Announcement.parse(wire("P x 0 0 1 0 0 0 0|c")));
    }
}
