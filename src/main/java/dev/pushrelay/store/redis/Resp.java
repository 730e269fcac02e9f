package dev.pushrelay.store.redis;

import io.lettuce.core.RedisCommandExecutionException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Redis wire protocol (RESP2) for a {@link ThreadConnections} connection: commands as
 * arrays of bulk strings, replies read incrementally. Replies take the shapes Lettuce gives a
 * script's multi-bulk answer with byte arrays: {@code Long}, {@code byte[]}, {@code List},
 * {@code null}; an error reply becomes a {@link RedisCommandExecutionException}, as Lettuce's.
 */
public final class Resp {

    private Resp() {
    }

    /** Appends {@code args} as one command to {@code out}, growing it as needed; returns the buffer to use. */
    public static ByteBuffer encode(ByteBuffer out, byte[]... args) {
        int size = 16;
        for (byte[] a : args) size += a.length + 16;
        if (out.remaining() < size) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + size));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
        out.put((byte) '*');
        putNumber(out, args.length);
        for (byte[] a : args) {
            out.put((byte) '$');
            putNumber(out, a.length);
            out.put(a);
            out.put((byte) '\r').put((byte) '\n');
        }
        return out;
    }

    /** Digits written in place: every command's lengths, without a String each (the publish path). */
    private static void putNumber(ByteBuffer out, long n) {
        if (n < 0) {
            out.put(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
        } else {
            int digits = 1;
            for (long x = n / 10; x > 0; x /= 10) digits++;
            int end = out.position() + digits;
            for (int at = end - 1; at >= end - digits; at--) {
                out.put(at, (byte) ('0' + n % 10));
                n /= 10;
            }
            out.position(end);
        }
        out.put((byte) '\r').put((byte) '\n');
    }

    /**
     * Replies read from a stream in pieces. {@link #next()} returns {@link #INCOMPLETE} until a
     * whole reply has arrived, so a reply split across reads is parsed once it is complete.
     */
    public static final class Reader {
        /** {@link #next()} found no complete reply yet. */
        public static final Object INCOMPLETE = new Object();

        private byte[] buf = new byte[8192];
        private int start;
        private int end;
        private int pos;

        /** The buffer to read into: {@link #filled} says how many bytes were read. */
        public ByteBuffer space() {
            if (start > 0 && start == end) {
                start = end = 0;
            }
            if (buf.length - end < 4096) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (buf.length - end < 4096) buf = Arrays.copyOf(buf, buf.length * 2);
            }
            return ByteBuffer.wrap(buf, end, buf.length - end);
        }

        public void filled(int n) {
            end += n;
        }

        /** The next whole reply (an error reply as its exception), or {@link #INCOMPLETE}. */
        public Object next() {
            pos = start;
            Object r = parse();
            if (r != INCOMPLETE) start = pos;
            return r;
        }

        private Object parse() {
            if (pos >= end) return INCOMPLETE;
            byte kind = buf[pos++];
            int eol = lineEnd();
            if (eol < 0) return INCOMPLETE;
            int lineStart = pos;
            pos = eol + 2;
            switch (kind) {
                case '+':
                    return new String(buf, lineStart, eol - lineStart, StandardCharsets.UTF_8);
                case '-':
                    return new RedisCommandExecutionException(new String(buf, lineStart, eol - lineStart, StandardCharsets.UTF_8));
                case ':':
                    return number(lineStart, eol);
                case '$': {
                    long n = number(lineStart, eol);
                    if (n < 0) return null;
                    if (end - pos < n + 2) return INCOMPLETE;
                    byte[] b = Arrays.copyOfRange(buf, pos, pos + (int) n);
                    pos += (int) n + 2;
                    return b;
                }
                case '*': {
                    long n = number(lineStart, eol);
                    if (n < 0) return null;
                    List<Object> list = new ArrayList<>((int) Math.min(n, 1024));
                    for (long i = 0; i < n; i++) {
                        Object e = parse();
                        if (e == INCOMPLETE) return INCOMPLETE;
                        list.add(e);
                    }
                    return list;
                }
                default:
                    throw new IllegalStateException("not a RESP reply: byte " + kind);
            }
        }

        private int lineEnd() {
            for (int i = pos; i + 1 < end; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') return i;
            }
            return -1;
        }

        private long number(int from, int to) {
            long n = 0;
            boolean negative = buf[from] == '-';
            for (int i = negative ? from + 1 : from; i < to; i++) n = n * 10 + (buf[i] - '0');
            return negative ? -n : n;
        }
    }
}
