package dev.pushrelay.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ValuesTest {

    @Test
    void sizes_use_nginx_suffixes() {
        assertEquals(512, Values.size("512"));
        assertEquals(512 * 1024, Values.size("512k"));
        assertEquals(512 * 1024, Values.size("512K"));
        assertEquals(32L * 1024 * 1024, Values.size("32M"));
        assertEquals(1024L * 1024 * 1024, Values.size("1g"));
        assertEquals(-1, Values.size("1t"));
        assertEquals(-1, Values.size("k"));
        assertEquals(-1, Values.size("-1"));
        assertEquals(-1, Values.size("1.5m"));
    }

    @Test
    void times_follow_ngx_parse_time_for_msec_slots() {
        // client_*_timeout: a bare number is still seconds; "ms" is allowed, last
        assertEquals(60_000, Values.millis("60"));
        assertEquals(500, Values.millis("500ms"));
        assertEquals(1_500, Values.millis("1s500ms"));
        assertEquals(1_500, Values.millis("1s 500ms"));
        assertEquals(90_000, Values.millis("1m30s"));
        assertEquals(3_600_000, Values.millis("1h"));
        assertEquals(0, Values.millis("0"));
        assertEquals(-1, Values.millis("500ms1s"));
        assertEquals(-1, Values.millis("5x"));
        assertEquals(-1, Values.millis(""));
    }

    @Test
    void times_follow_ngx_parse_time_for_second_slots() {
        assertEquals(90, Values.seconds("90"));
        assertEquals(5, Values.seconds("5s"));
        assertEquals(7200, Values.seconds("2h"));
        assertEquals(86400, Values.seconds("1d"));
        assertEquals(60, Values.seconds("1m"));
        assertEquals(30L * 86400, Values.seconds("1M"));
        assertEquals(7 * 86400, Values.seconds("1w"));
        assertEquals(365L * 86400, Values.seconds("1y"));
        assertEquals(3600 + 1800 + 5, Values.seconds("1h30m5s"));
        assertEquals(3600 + 1800, Values.seconds("1h 30m"));
        assertEquals(0, Values.seconds("0"));
        // nginx rejects milliseconds in a seconds slot (ngx_parse_time with is_sec = 1)
        assertEquals(-1, Values.seconds("500ms"));
        assertEquals(-1, Values.seconds("1s1h"));
        assertEquals(-1, Values.seconds("1h1h"));
        assertEquals(-1, Values.seconds("5x"));
        assertEquals(-1, Values.seconds(""));
        assertEquals(-1, Values.seconds("s"));
    }

    @Test
    void numbers_are_plain_decimals() {
        assertEquals(10, Values.number("10"));
        assertEquals(-1, Values.number("+1"));
        assertEquals(-1, Values.number("1 "));
        assertEquals(-1, Values.number(""));
    }

    @Test
    void flags_are_case_insensitive_on_off() {
        assertEquals(Boolean.TRUE, Values.flag("ON"));
        assertEquals(Boolean.FALSE, Values.flag("off"));
        assertNull(Values.flag("yes"));
    }

    @Test
    void enum_values_match_by_case_insensitive_prefix_in_table_order() {
        List<String> opts = List.of("first", "last", "broadcast");
        assertEquals(0, Values.prefixChoice("f", opts));
        assertEquals(1, Values.prefixChoice("LA", opts));
        assertEquals(2, Values.prefixChoice("Broadcast", opts));
        assertEquals(0, Values.prefixChoice("", opts));
        assertEquals(-1, Values.prefixChoice("all", opts));
        assertEquals(-1, Values.prefixChoice("firsts", opts));
    }
}
