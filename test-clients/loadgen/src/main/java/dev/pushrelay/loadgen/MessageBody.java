package dev.pushrelay.loadgen;

/**
 * Fixed-layout ASCII message body, parsed without regex or allocation:
 * {@code #SSSSSSSSSS TTTTTTTTTTTTTTTTTTT CCCCCCCC xxxx...}: '#', 10-digit channel sequence
 * number, space, 19-digit publish {@link System#nanoTime()}, space, 8-digit channel index,
 * space, then 'x' padding up to the message size.
 */
final class MessageBody {
    static final int HEADER = 41;
    private static final int SEQ_AT = 1;
    private static final int TIME_AT = 12;
    private static final int CH_AT = 32;

    private MessageBody() {
    }

    /** A template of {@code size} bytes, to be stamped with {@link #stamp}. */
    static byte[] template(int size) {
        if (size < HEADER) {
            throw new IllegalArgumentException("message size must be >= " + HEADER);
        }
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) 'x');
        b[0] = '#';
        b[SEQ_AT + 10] = ' ';
        b[TIME_AT + 19] = ' ';
        b[CH_AT + 8] = ' ';
        return b;
    }

    static void stamp(byte[] b, int seq, long nanos, int channel) {
        digits(b, SEQ_AT, 10, seq);
        digits(b, TIME_AT, 19, Math.max(0, nanos));
        digits(b, CH_AT, 8, channel);
    }

    private static void digits(byte[] b, int at, int width, long v) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
    }

    /** True if {@code b[0..len)} has the expected layout. */
    static boolean valid(byte[] b, int len) {
        if (len < HEADER || b[0] != '#' || b[SEQ_AT + 10] != ' ' || b[TIME_AT + 19] != ' ' || b[CH_AT + 8] != ' ') {
            return false;
        }
        return allDigits(b, SEQ_AT, 10) && allDigits(b, TIME_AT, 19) && allDigits(b, CH_AT, 8);
    }

    private static boolean allDigits(byte[] b, int at, int width) {
        for (int i = at; i < at + width; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private static long number(byte[] b, int at, int width) {
        long v = 0;
        for (int i = at; i < at + width; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    static int seq(byte[] b) {
        return (int) number(b, SEQ_AT, 10);
    }

    static long nanos(byte[] b) {
        return number(b, TIME_AT, 19);
    }

    static int channel(byte[] b) {
        return (int) number(b, CH_AT, 8);
    }
}
