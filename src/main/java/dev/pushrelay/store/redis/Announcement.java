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

    /** @return null when {@code msg} is not an announcement this version understands */
    static Announcement parse(byte[] msg) {
        int bar = -1;
        for (int i = 0; i < msg.length; i++) {
            if (msg[i] == '|') {
                bar = i;
                break;
            }
        }
        if (bar < 0) return null;
        String[] h = new String(msg, 0, bar, StandardCharsets.US_ASCII).split(" ");
        if (h.length != 9) return null;
        WaiterHub.Kind kind = switch (h[0]) {
            case "P" -> WaiterHub.Kind.PUBLISH;
            case "K" -> WaiterHub.Kind.KICK;
            case "D" -> WaiterHub.Kind.DELETE;
            default -> null;
        };
        if (kind == null) return null;
        try {
            long gen = Long.parseLong(h[1]);
            int keyLen = Integer.parseInt(h[4]);
            int typeLen = Integer.parseInt(h[6]);
            int p = bar + 1;
            if (keyLen < 0 || typeLen < 0 || p + keyLen + typeLen > msg.length) return null;
            String key = new String(msg, p, keyLen, StandardCharsets.UTF_8);
            Message m = null;
            if (kind == WaiterHub.Kind.PUBLISH) {
                String type = "1".equals(h[5]) ? new String(msg, p + keyLen, typeLen, StandardCharsets.ISO_8859_1) : null;
                byte[] body = Arrays.copyOfRange(msg, p + keyLen + typeLen, msg.length);
                long d = Long.parseLong(h[8]);
                m = new Message(new Cursor(Long.parseLong(h[2]), Long.parseLong(h[3])), body, type,
                        Long.parseLong(h[7]), d < 0 ? Message.NEVER : d);
            }
            return new Announcement(key, new WaiterHub.Event(gen, kind, m));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
