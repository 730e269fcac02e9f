package dev.pushrelay.lean;

/**
 * A request head {@link HeadParser} took: its request line, its header lines as sent (in
 * order, names as spelled), and its framing. The header lines stay bytes of the head's copy:
 * a value becomes a String only when {@link #header} is asked for it, and header names never
 * do (a long-poll asks for a few headers of the several a client sends, once per delivery).
 */
final class LeanHead {

    final String method;
    final String target;
    final String path;
    final String args;
    final boolean http10;
    /** The head as read (its own copy). */
    private final byte[] head;
    /** Per header line, four offsets in {@link #head}: name start and end, value start and end. */
    private final int[] lines;
    private final int count;
    /** Values made into Strings so far, by line; null until the first is asked for. */
    private String[] values;
    final long contentLength;
    /** The head's length in bytes, blank line included. */
    int length;
    boolean keepAlive;

    LeanHead(String method, String target, String path, String args, boolean http10, byte[] head, int[] lines,
             int count, long contentLength) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.args = args;
        this.http10 = http10;
        this.head = head;
        this.lines = lines;
        this.count = count;
        this.contentLength = contentLength;
    }

    LeanHead framing(int length, boolean keepAlive) {
        this.length = length;
        this.keepAlive = keepAlive;
        return this;
    }

    /** The first value of header {@code name} (any case), or null. */
    String header(String name) {
        for (int i = 0; i < count; i++) {
            if (HeadParser.named(head, lines[4 * i], lines[4 * i + 1], name)) return value(i);
        }
        return null;
    }

    private String value(int i) {
        if (values == null) values = new String[count];
        String v = values[i];
        if (v == null) {
            v = HeadParser.ascii(head, lines[4 * i + 2], lines[4 * i + 3]);
            values[i] = v;
        }
        return v;
    }
}
