package dev.pushrelay.store.redis;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What channel.lua publishes on the notification channel when a channel's generation rises
 * (protocol.md §13): a publish with its message, a kick ({@code last}) or a delete.
 *
 * <p>Wire form: an ASCII head {@code KIND GEN TIME TAG KEYLEN HASTYPE TYPELEN EXPIRES D},
 * then {@code |}, then the key (UTF-8, KEYLEN bytes), the Content-Type (TYPELEN bytes) and the
 * body (the rest), so bodies and keys pass byte for byte. KIND is P, K or D; D is the
 * delete-oldest-received minimum or -1.
 */
record Announcement(String key, WaiterHub.Event event) {

    /**
     * Only the channel key, without copying the body: a node skips the announcements of
     * channels it has no waiters for (every node hears every publish).
     *
     * @return null when {@code msg} is not an announcement this version understands
     */
    static String key(byte[] msg) {
        int bar = -1;
        int spaces = 0;
        int keyLenAt = -1;
        for (int i = 0; i < msg.length; i++) {
            if (msg[i] == '|') {
                bar = i;
                break;
            }
            if (msg[i] == ' ' && ++spaces == 4) keyLenAt = i + 1;
        }
        if (bar < 0 || spaces != 8 || keyLenAt < 0) return null;
        int keyLen = 0;
        for (int i = keyLenAt; i < bar && msg[i] != ' '; i++) {
            if (msg[i] < '0' || msg[i] > '9' || keyLen > msg.length) return null;
            keyLen = keyLen * 10 + (msg[i] - '0');
        }
        if (bar + 1 + keyLen > msg.length) return null;
        return new String(msg, bar + 1, keyLen, StandardCharsets.UTF_8);
    }

    /**
     * Reads the head's numbers from the bytes where they are, without a String per field:
     * a node parses every announcement of its channels on its IO thread.
     *
     * @return null when {@code msg} is not an announcement this version understands
     */
    static Announcement parse(byte[] msg) {
        int[] at = new int[9]; // where each head field starts; the bar ends the last
        int fields = 1;
        int bar = -1;
        for (int i = 0; i < msg.length; i++) {
            byte b = msg[i];
            if (b == '|') {
                bar = i;
                break;
            }
            if (b == ' ') {
                if (fields == 9) return null;
                at[fields++] = i + 1;
            }
        }
        if (bar < 0 || fields != 9 || at[1] != 2) return null;
        WaiterHub.Kind kind = switch (msg[0]) {
            case 'P' -> WaiterHub.Kind.PUBLISH;
            case 'K' -> WaiterHub.Kind.KICK;
            case 'D' -> WaiterHub.Kind.DELETE;
            default -> null;
        };
        if (kind == null) return null;
        long gen = number(msg, at[1], at[2] - 1);
        long keyLen = number(msg, at[4], at[5] - 1);
        long typeLen = number(msg, at[6], at[7] - 1);
        if (gen == BAD || keyLen == BAD || typeLen == BAD || keyLen < 0 || typeLen < 0) return null;
        int p = bar + 1;
        if (p + keyLen + typeLen > msg.length) return null;
        String key = new String(msg, p, (int) keyLen, StandardCharsets.UTF_8);
        Message m = null;
        if (kind == WaiterHub.Kind.PUBLISH) {
            long time = number(msg, at[2], at[3] - 1);
            long tag = number(msg, at[3], at[4] - 1);
            long expires = number(msg, at[7], at[8] - 1);
            long d = number(msg, at[8], bar);
            if (time == BAD || tag == BAD || expires == BAD || d == BAD) return null;
            boolean typed = at[6] - at[5] == 2 && msg[at[5]] == '1';
            String type = typed ? new String(msg, p + (int) keyLen, (int) typeLen, StandardCharsets.ISO_8859_1) : null;
            byte[] body = Arrays.copyOfRange(msg, p + (int) keyLen + (int) typeLen, msg.length);
            m = new Message(new Cursor(time, tag), body, type, expires, d < 0 ? Message.NEVER : d);
        }
        return new Announcement(key, new WaiterHub.Event(gen, kind, m));
    }

    private static final long BAD = Long.MIN_VALUE;

    /** The decimal in {@code msg[from, to)}, optionally negative; BAD when it is not one (as Long.parseLong refuses). */
    private static long number(byte[] msg, int from, int to) {
        boolean negative = from < to && msg[from] == '-';
        int i = negative ? from + 1 : from;
        if (i >= to || to - i > 18) return BAD;
        long n = 0;
        for (; i < to; i++) {
            byte b = msg[i];
            if (b < '0' || b > '9') return BAD;
            n = n * 10 + (b - '0');
        }
        return negative ? -n : n;
    }
}
