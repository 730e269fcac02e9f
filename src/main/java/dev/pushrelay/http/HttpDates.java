package dev.pushrelay.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * HTTP dates as nginx writes and reads them (protocol.md §4.2): written in RFC 1123 form
 * with a two-digit day; read in RFC 1123, RFC 850 and asctime forms, like
 * ngx_http_parse_time.
 */
final class HttpDates {

    /** A value that could not be parsed; below every message time, like nginx's NGX_ERROR. */
    static final long INVALID = -1;

    private static final DateTimeFormatter RFC_1123 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static final String[] MONTHS =
            {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

    private HttpDates() {
    }

    static String format(long epochSecond) {
        return RFC_1123.format(Instant.ofEpochSecond(epochSecond));
    }

    /** Epoch seconds of an HTTP date, or {@link #INVALID}. */
    static long parse(String value) {
        if (value == null) return INVALID;
        long fast = parseRfc1123(value);
        if (fast != INVALID) return fast;
        String s = value.trim();
        // Skip the weekday: "Sun," (RFC 1123), "Sunday," (RFC 850) or "Sun " (asctime).
        int comma = s.indexOf(',');
        boolean asctime = comma < 0;
        if (asctime) {
            int sp = s.indexOf(' ');
            if (sp < 0) return INVALID;
            s = s.substring(sp + 1).trim();
        } else {
            s = s.substring(comma + 1).trim();
        }
        try {
            String[] p = s.split("[ \\-]+");
            int day;
            int month;
            int year;
            String time;
            if (asctime) {                      // "Nov  6 08:49:37 1994"
                if (p.length != 4) return INVALID;
                month = month(p[0]);
                day = Integer.parseInt(p[1]);
                time = p[2];
                year = Integer.parseInt(p[3]);
            } else {                            // "06 Nov 1994 08:49:37 GMT" or "06-Nov-94 08:49:37 GMT"
                if (p.length != 5 || !p[4].equalsIgnoreCase("GMT")) return INVALID;
                day = Integer.parseInt(p[0]);
                month = month(p[1]);
                year = Integer.parseInt(p[2]);
                if (p[2].length() == 2) year += year < 70 ? 2000 : 1900;
                time = p[3];
            }
            String[] t = time.split(":");
            if (t.length != 3 || month < 0) return INVALID;
            int h = Integer.parseInt(t[0]);
            int m = Integer.parseInt(t[1]);
            int sec = Integer.parseInt(t[2]);
            if (day < 1 || day > 31 || h > 23 || m > 59 || sec > 59 || year < 1970 || year > 9999) return INVALID;
            return java.time.LocalDateTime.of(year, month + 1, day, h, m, sec).toEpochSecond(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return INVALID;
        }
    }

    /**
     * The form every client sends back, "Sun, 06 Nov 1994 08:49:37 GMT" (what we write as
     * Last-Modified), read by position: each re-subscribing long-poll carries one, and the
     * general parser's split is measurable on the fan-out path. INVALID sends the value to
     * the general parser.
     */
    private static long parseRfc1123(String v) {
        if (v.length() != 29 || v.charAt(3) != ',' || v.charAt(4) != ' ' || v.charAt(7) != ' '
                || v.charAt(11) != ' ' || v.charAt(16) != ' ' || v.charAt(19) != ':' || v.charAt(22) != ':'
                || !v.endsWith(" GMT")) {
            return INVALID;
        }
        int day = digits(v, 5, 2);
        int month = month(v.substring(8, 11));
        int year = digits(v, 12, 4);
        int h = digits(v, 17, 2);
        int m = digits(v, 20, 2);
        int sec = digits(v, 23, 2);
        if (day < 1 || day > 31 || month < 0 || year < 1970 || h > 23 || m > 59 || sec > 59) return INVALID;
        try {
            return java.time.LocalDateTime.of(year, month + 1, day, h, m, sec).toEpochSecond(ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return INVALID; // e.g. 31 Feb
        }
    }

    /** The decimal number at v[from, from+n), or -1 if any character is not a digit. */
    private static int digits(String v, int from, int n) {
        int r = 0;
        for (int i = from; i < from + n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return -1;
            r = r * 10 + (c - '0');
        }
        return r;
    }

    private static int month(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equals(n)) return i;
        }
        return -1;
    }
}
