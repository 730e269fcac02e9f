package dev.pushrelay.config;

import java.util.List;
import java.util.Locale;

/**
 * nginx's value syntaxes: sizes ({@code ngx_parse_size}), times ({@code ngx_parse_time}
 * for second slots), numbers ({@code ngx_atoi}), flags and the push module's
 * case-insensitive prefix match of enum values (protocol.md §2).
 */
public final class ValueSyntax {

    private ValueSyntax() {
    }

    /** {@code 123}, {@code 512k}/{@code K}, {@code 32m}/{@code M}, {@code 1g}/{@code G}; -1 when invalid. */
    public static long size(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long scale = 1;
        String digits = s;
        switch (s.charAt(s.length() - 1)) {
            case 'k', 'K' -> scale = 1024L;
            case 'm', 'M' -> scale = 1024L * 1024;
            case 'g', 'G' -> scale = 1024L * 1024 * 1024;
            default -> {
            }
        }
        if (scale != 1) {
            digits = s.substring(0, s.length() - 1);
        }
        long n = number(digits);
        if (n < 0 || n > Long.MAX_VALUE / scale) {
            return -1;
        }
        return n * scale;
    }

    /** Plain non-negative decimal as {@code ngx_atoi}/{@code ngx_atosz}: digits only; -1 when invalid. */
    static long number(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (n > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * Seconds, as {@code ngx_parse_time(value, is_sec=1)}: a sequence of number+unit
     * (y, M, w, d, h, m, s; each at most once, in that order, optionally space separated),
     * a bare number is seconds. {@code ms} is rejected for second slots, as nginx does.
     * Returns -1 when invalid.
     */
    static long seconds(String s) {
        return time(s, true);
    }

    /**
     * Milliseconds, as {@code ngx_parse_time(value, is_sec=0)} for nginx's msec slots
     * (client_header_timeout, client_body_timeout): the units of {@link #seconds} plus
     * {@code ms}; a bare number is still seconds ({@code 60} = 60,000 ms). -1 when invalid.
     */
    public static long millis(String s) {
        return time(s, false);
    }

    private static long time(String s, boolean isSec) {
        final int msec = 8;
        final int start = 0, year = 1, month = 2, week = 3, day = 4, hour = 5, min = 6, sec = 7, last = 9;
        int step = start;
        boolean valid = false;
        long value = 0;
        long total = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                    return -1;
                }
                value = value * 10 + (c - '0');
                valid = true;
                i++;
                continue;
            }
            i++;
            long scale;
            switch (c) {
                case 'y' -> {
                    if (step > start) return -1;
                    step = year;
                    scale = 60L * 60 * 24 * 365;
                }
                case 'M' -> {
                    if (step >= month) return -1;
                    step = month;
                    scale = 60L * 60 * 24 * 30;
                }
                case 'w' -> {
                    if (step >= week) return -1;
                    step = week;
                    scale = 60L * 60 * 24 * 7;
                }
                case 'd' -> {
                    if (step >= day) return -1;
                    step = day;
                    scale = 60L * 60 * 24;
                }
                case 'h' -> {
                    if (step >= hour) return -1;
                    step = hour;
                    scale = 60L * 60;
                }
                case 'm' -> {
                    if (i < s.length() && s.charAt(i) == 's') {
                        if (isSec || step >= msec) return -1; // no milliseconds in a seconds slot
                        i++;
                        step = msec;
                        scale = 1;
                        break;
                    }
                    if (step >= min) return -1;
                    step = min;
                    scale = 60;
                }
                case 's' -> {
                    if (step >= sec) return -1;
                    step = sec;
                    scale = 1;
                }
                case ' ' -> {
                    if (step >= sec) return -1;
                    step = last;
                    scale = 1;
                }
                default -> {
                    return -1;
                }
            }
            if (!isSec && step != msec) {
                scale *= 1000;
            }
            if (value > Long.MAX_VALUE / scale) {
                return -1;
            }
            value *= scale;
            if (total > Long.MAX_VALUE - value) {
                return -1;
            }
            total += value;
            value = 0;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
        if (!isSec) {
            if (value > Long.MAX_VALUE / 1000) {
                return -1;
            }
            value *= 1000; // a trailing bare number is seconds, also in a msec slot
        }
        if (!valid || total > Long.MAX_VALUE - value) {
            return -1;
        }
        return total + value;
    }

    /** nginx flag: "on"/"off", case-insensitive; null when neither. */
    static Boolean flag(String s) {
        if (s.equalsIgnoreCase("on")) {
            return Boolean.TRUE;
        }
        if (s.equalsIgnoreCase("off")) {
            return Boolean.FALSE;
        }
        return null;
    }

    /**
     * The push module's {@code ngx_strncasecmp(value, option, value.len)} over the options
     * in table order: the first option that the value is a case-insensitive prefix of.
     * The empty value matches the first option. Returns the index or -1.
     */
    static int prefixChoice(String value, List<String> options) {
        String v = value.toLowerCase(Locale.ROOT);
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i);
            // strncasecmp over value.len bytes: a value longer than the option never matches
            // (it would compare the option's NUL terminator)
            if (v.length() <= o.length() && o.startsWith(v)) {
                return i;
            }
        }
        return -1;
    }
}
