package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** protocol.md §14.8: the compound token of a subscriber of several channels, in nchan's form. */
class CompoundIdsTest {

    private static final long T = 1796612898;

    @Test
    void s14_8_a_channel_outside_the_newest_second_is_a_dash_the_one_just_sent_is_bracketed() {
        Cursor[] cs = {new Cursor(T, 1), new Cursor(T, 0), Cursor.OLDEST};
        assertEquals(T + ":[1],0,-", CompoundIds.format(cs, 0));
        assertEquals(T + ":1,[0],-", CompoundIds.format(cs, 1));
        cs[2] = new Cursor(T + 2, 0);
        assertEquals((T + 2) + ":-,-,[0]", CompoundIds.format(cs, 2));
    }

    @Test
    void s14_8_a_dash_means_everything_before_the_tokens_second() {
        Cursor[] cs = CompoundIds.parse(T + ":0,[3],-", 3);
        assertArrayEquals(new Cursor[] {new Cursor(T, 0), new Cursor(T, 3), new Cursor(T - 1, Long.MAX_VALUE)}, cs);
        assertEquals(T + ":0,3,[-]", CompoundIds.format(cs, 2), "a dash comes back as it went");
        assertArrayEquals(CompoundIds.parse(T + ":0,3,-1", 3), cs, "-1 is nchan's long form of -");
        assertArrayEquals(new Cursor[] {new Cursor(T, 5), new Cursor(T - 1, Long.MAX_VALUE), new Cursor(T - 1, Long.MAX_VALUE)},
                CompoundIds.parse(T + ":5", 3), "missing tags are dashes, as nchan fills them");
        assertArrayEquals(new Cursor[] {Cursor.OLDEST, Cursor.OLDEST}, CompoundIds.parse("0:-,-", 2));
    }

    @Test
    void s14_8_anything_else_is_invalid() {
        for (String bad : new String[] {"", ":", T + ":", T + ":1,2,3,4", T + ":[1],[2]", T + ":a,1", "x:1,2",
                T + ":1,,2", T + "", T + ":1;2", "-5:1,2", T + ":1234567890123456789,0"}) {
            assertNull(CompoundIds.parse(bad, 3), bad);
        }
    }
}
