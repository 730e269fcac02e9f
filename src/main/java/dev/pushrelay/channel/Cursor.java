package dev.pushrelay.channel;

/**
 * A position in a channel's message queue: the message time in whole epoch seconds
 * (sent as Last-Modified) and the tag counting messages within that second (sent as
 * Etag). protocol.md §4.2.
 */
public record Cursor(long time, long tag) implements Comparable<Cursor> {

    /** "No If-Modified-Since": before every message, so the oldest stored one is found. */
    public static final Cursor OLDEST = new Cursor(0, 0);

    @Override
    public int compareTo(Cursor o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Long.compare(tag, o.tag);
    }

    /** True when this message id comes strictly after {@code position}. */
    public boolean isAfter(Cursor position) {
        return compareTo(position) > 0;
    }
}
