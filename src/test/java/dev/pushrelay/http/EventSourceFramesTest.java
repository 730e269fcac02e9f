package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * protocol.md §14.2, §14.3: an event is built in one pass, and as one HTTP/1.1 chunk for the
 * streams of a single channel. Both must hold exactly the bytes of the format's rules, which
 * {@link #expected} spells out the plain way: every body split on CR LF, lone CR and lone LF.
 */
class EventSourceFramesTest {

    /** The event as the WHATWG format has it, written line by line with strings. */
    private static byte[] expected(byte[] body, String id, String event) {
        StringBuilder out = new StringBuilder("id: ").append(id).append('\n');
        if (event != null) {
            String name = event.split("[\r\n]", -1)[0];
            out.append("event: ").append(name).append('\n');
        }
        String text = new String(body, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\r\n|\r|\n", -1)) out.append("data: ").append(line).append('\n');
        return out.append('\n').toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void check(byte[] body, String event) {
        Message m = new Message(new Cursor(1_700_000_000L, 3), body, "text/plain", 0, Message.NEVER, event);
        String id = EventIds.format(m.id());
        byte[] want = expected(body, id, event);
        assertArrayEquals(want, bytes(EventSourceFrames.message(m, id, event)));
        String head = Integer.toHexString(want.length) + "\r\n";
        byte[] chunk = bytes(EventSourceFrames.chunk(m, id, event));
        assertEquals(head + new String(want, StandardCharsets.ISO_8859_1) + "\r\n",
                new String(chunk, StandardCharsets.ISO_8859_1));
        assertEquals(body.length, m.body().remaining(), "the body is read, not consumed");
    }

    @Test
    void lineEndsOfEveryKindSplitTheBody() {
        for (String body : new String[] {"", "x", "a\r\nb", "a\rb", "a\nb", "\r", "\n", "\r\n", "\n\r", "\r\r\n",
                "a\r\n", "end\r", "\r\nstart", "one\ntwo\r\nthree\rfour", "é ü \u00ff"}) {
            check(body.getBytes(StandardCharsets.ISO_8859_1), null);
        }
    }

    @Test
    void anEventNameIsOneLine() {
        check("hi".getBytes(StandardCharsets.US_ASCII), "update");
        check("hi".getBytes(StandardCharsets.US_ASCII), "first\r\nsecond");
        check("hi".getBytes(StandardCharsets.US_ASCII), "na\u00efve\nrest");
        check(new byte[0], "");
    }

    @Test
    void randomBodiesOfLineEndsAndBytes() {
        SplittableRandom r = new SplittableRandom(16);
        byte[] alphabet = {'\r', '\n', 'a', 'z', ' ', ':', 0, (byte) 0x80, (byte) 0xff};
        for (int n = 0; n < 5_000; n++) {
            byte[] body = new byte[r.nextInt(0, 40)];
            for (int i = 0; i < body.length; i++) body[i] = alphabet[r.nextInt(alphabet.length)];
            check(body, r.nextBoolean() ? null : "e" + n);
        }
    }
}
