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

    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"}; // from 1970-01-01
    private static final String[] MONTH_NAMES =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final long SECONDS_PER_DAY = 86_400;
    /** 10000-01-01: later dates have more than four year digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    /**
     * "Sun, 06 Nov 1994 08:49:37 GMT". Every message's Last-Modified is formatted here, so the
     * common range is written by hand rather than through a DateTimeFormatter.
     */
    static String format(long epochSecond) {
        if (epochSecond < 0 || epochSecond >= YEAR_10000) return RFC_1123.format(Instant.ofEpochSecond(epochSecond));
        long days = epochSecond / SECONDS_PER_DAY;
        int secs = (int) (epochSecond % SECONDS_PER_DAY);
        // civil_from_days (H. Hinnant): days since 1970-01-01 -> year, month, day
        long z = days + 719_468;
        long era = z / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        char[] c = new char[29];
        String dn = DAYS[(int) (days % 7)];
        String mn = MONTH_NAMES[month - 1];
        c[0] = dn.charAt(0);
        c[1] = dn.charAt(1);
        c[2] = dn.charAt(2);
        c[3] = ',';
        c[4] = ' ';
        two(c, 5, day);
        c[7] = ' ';
        c[8] = mn.charAt(0);
        c[9] = mn.charAt(1);
        c[10] = mn.charAt(2);
        c[11] = ' ';
        two(c, 12, year / 100);
        two(c, 14, year % 100);
        c[16] = ' ';
        two(c, 17, secs / 3600);
        c[19] = ':';
        two(c, 20, secs / 60 % 60);
        c[22] = ':';
        two(c, 23, secs % 60);
        c[25] = ' ';
        c[26] = 'G';
        c[27] = 'M';
        c[28] = 'T';
        return new String(c);
    }

    private static void two(char[] c, int at, int n) {
        c[at] = (char) ('0' + n / 10);
        c[at + 1] = (char) ('0' + n % 10);
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
        int month = month(v, 8);
        int year = digits(v, 12, 4);
        int h = digits(v, 17, 2);
        int m = digits(v, 20, 2);
        int sec = digits(v, 23, 2);
        if (day < 1 || day > 31 || month < 0 || year < 1970 || h > 23 || m > 59 || sec > 59) return INVALID;
        if (day > daysInMonth(year, month)) return INVALID; // e.g. 31 Feb
        // days_from_civil (H. Hinnant)
        int y = month <= 1 ? year - 1 : year;
        int era = y / 400;
        int yoe = y - era * 400;
        int mp = month <= 1 ? month + 10 : month - 2;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = era * 146_097L + doe - 719_468;
        return days * SECONDS_PER_DAY + h * 3600L + m * 60L + sec;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 1 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 3, 5, 8, 10 -> 30;
            default -> 31;
        };
    }

    /** The month named by the three letters at v[from, from+3), any case, or -1. */
    private static int month(String v, int from) {
        char a = lower(v.charAt(from));
        char b = lower(v.charAt(from + 1));
        char c = lower(v.charAt(from + 2));
        for (int i = 0; i < MONTHS.length; i++) {
            String n = MONTHS[i];
            if (n.charAt(0) == a && n.charAt(1) == b && n.charAt(2) == c) return i;
        }
        return -1;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
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
