package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;

/**
 * The cursor of a subscriber that follows several channels (protocol.md §14.8), in nchan's
 * form: {@code <seconds>:<tag>,<tag>,...}, one tag per channel in the order the location
 * names them, the channel of the message just sent in brackets, {@code -} for a channel
 * with no message in that second, e.g. {@code 1789999200:0,[1],-}.
 *
 * <p>A tag names the channel's message of that second; {@code -} means "every message of
 * the channel before that second". Because a multiplexed stream sends the messages it
 * holds oldest first across its channels (§14.8), that is exactly what the client has.
 * Long-poll splits the token as nchan does: {@code Last-Modified} the seconds, {@code Etag}
 * the tags.
 */
final class CompoundIds {

    /** The tag of a channel known only as "everything before the token's second". */
    private static final long BEFORE = Long.MAX_VALUE;

    private CompoundIds() {
    }

    /** The token for {@code cursors}, {@code active} the channel in brackets. */
    static String format(Cursor[] cursors, int active) {
        long t = time(cursors);
        return t + ":" + tags(cursors, active, t);
    }

    /** The token's seconds: the newest second any channel has reached. */
    static long time(Cursor[] cursors) {
        long t = 0;
        for (Cursor c : cursors) t = Math.max(t, c.tag() == BEFORE ? c.time() + 1 : c.time());
        return t;
    }

    /** The tags part (nchan's Etag of a multiplexed long-poll answer). */
    static String tags(Cursor[] cursors, int active, long time) {
        StringBuilder b = new StringBuilder(cursors.length * 3);
        for (int i = 0; i < cursors.length; i++) {
            if (i > 0) b.append(',');
            Cursor c = cursors[i];
            String tag = c.time() == time && c.tag() != BEFORE ? Long.toString(c.tag()) : "-";
            b.append(i == active ? "[" + tag + "]" : tag);
        }
        return b.toString();
    }

    /** The cursors a whole token names, or null when it is not {@code digits:tags}. */
    static Cursor[] parse(String token, int channels) {
        int colon = token.indexOf(':');
        if (colon < 0) return null;
        long time = EventIds.digits(token, 0, colon);
        return time < 0 ? null : parse(time, token.substring(colon + 1), channels);
    }

    /**
     * The cursors that {@code tags} names in second {@code time}: each tag a decimal, or
     * {@code -} / {@code -1} (before that second); at most one tag in brackets; missing tags
     * at the end are {@code -}, as nchan fills them. Null when malformed or too many tags.
     */
    static Cursor[] parse(long time, String tags, int channels) {
        Cursor[] out = new Cursor[channels];
        Cursor before = time == 0 ? Cursor.OLDEST : new Cursor(time - 1, BEFORE);
        int i = 0;
        int from = 0;
        boolean bracket = false;
        while (from <= tags.length()) {
            if (i == channels) return null;
            int comma = tags.indexOf(',', from);
            int to = comma < 0 ? tags.length() : comma;
            String tag = tags.substring(from, to);
            if (tag.startsWith("[") && tag.endsWith("]") && tag.length() >= 2) {
                if (bracket) return null;
                bracket = true;
                tag = tag.substring(1, tag.length() - 1);
            }
            if (tag.equals("-") || tag.equals("-1")) {
                out[i] = before;
            } else {
                long n = EventIds.digits(tag, 0, tag.length());
                if (n < 0) return null;
                out[i] = new Cursor(time, n);
            }
            i++;
            from = to + 1;
        }
        for (; i < channels; i++) out[i] = before;
        return out;
    }
}
