package dev.pushrelay.store.redis;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** protocol.md §13: the wire form of the IO threads' own Redis connections. */
class RespTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void s13_a_command_is_an_array_of_bulk_strings_byte_for_byte_and_the_buffer_grows() {
        ByteBuffer out = ByteBuffer.allocate(4);
        out = Resp.encode(out, b("EVALSHA"), new byte[] {'\r', '\n', 0, (byte) 0xff});
        out = Resp.encode(out, b("PING"));
        out.flip();
        byte[] wire = new byte[out.remaining()];
        out.get(wire);
        assertArrayEquals(b("*2\r\n$7\r\nEVALSHA\r\n$4\r\n\r\n\u0000\u00ff\r\n*1\r\n$4\r\nPING\r\n"), wire);
    }

    /** Feeds {@code wire} one byte at a time: every reply must wait until it is whole. */
    private static List<Object> readByteByByte(byte[] wire) {
        Resp.Reader r = new Resp.Reader();
        List<Object> replies = new java.util.ArrayList<>();
        for (byte x : wire) {
            ByteBuffer space = r.space();
            space.put(x);
            r.filled(1);
            for (Object o = r.next(); o != Resp.Reader.INCOMPLETE; o = r.next()) replies.add(o);
        }
        return replies;
    }

    @Test
    void s13_replies_split_anywhere_are_read_whole_with_the_shapes_of_a_script_answer() {
        byte[] wire = b("*3\r\n:-12\r\n$3\r\na\r\n\r\n*2\r\n*1\r\n$-1\r\n:7\r\n+OK\r\n-NOSCRIPT No matching script\r\n$0\r\n\r\n*-1\r\n");
        List<Object> got = readByteByByte(wire);
        List<?> first = (List<?>) got.get(0);
        assertEquals(-12L, first.get(0));
        assertArrayEquals(b("a\r\n"), (byte[]) first.get(1));
        List<?> nested = (List<?>) first.get(2);
        assertNull(((List<?>) nested.get(0)).get(0));
        assertEquals(7L, nested.get(1));
        assertEquals("OK", got.get(1));
        RedisCommandExecutionException e = assertInstanceOf(RedisCommandExecutionException.class, got.get(2));
        assertEquals("NOSCRIPT No matching script", e.getMessage());
        assertArrayEquals(new byte[0], (byte[]) got.get(3));
        assertNull(got.get(4));
        assertEquals(5, got.size());
    }

    @Test
    void s13_a_reply_larger_than_the_buffer_is_read_whole() {
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        ByteBuffer out = Resp.encode(ByteBuffer.allocate(16), big); // "*1 $100000 ..." : an array of one
        out.flip();
        Resp.Reader r = new Resp.Reader();
        Object got = Resp.Reader.INCOMPLETE;
        while (out.hasRemaining()) {
            ByteBuffer space = r.space();
            int n = Math.min(space.remaining(), out.remaining());
            ByteBuffer slice = out.slice().limit(n);
            space.put(slice);
            out.position(out.position() + n);
            r.filled(n);
            Object o = r.next();
            if (o != Resp.Reader.INCOMPLETE) got = o;
        }
        assertArrayEquals(big, (byte[]) ((List<?>) got).get(0));
        assertSame(Resp.Reader.INCOMPLETE, r.next());
    }
}
