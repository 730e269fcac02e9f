package dev.pushrelay.lean;

/**
 * A request head {@link HeadParser} took: its request line, its header lines as sent (in
 * order, names as spelled), and its framing.
 */
final class LeanHead {

    final String method;
    final String target;
    final String path;
    final String args;
    final boolean http10;
    private final String[] names;
    private final String[] values;
    private final int count;
    final long contentLength;
    /** The head's length in bytes, blank line included. */
    int length;
    boolean keepAlive;

    LeanHead(String method, String target, String path, String args, boolean http10, String[] names, String[] values,
             int count, long contentLength) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.args = args;
        this.http10 = http10;
        this.names = names;
        this.values = values;
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
            if (names[i].equalsIgnoreCase(name)) return values[i];
        }
        return null;
    }
}
