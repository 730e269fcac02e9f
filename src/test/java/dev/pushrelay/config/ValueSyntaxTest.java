package dev.pushrelay.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ValueSyntaxTest {

    @Test
    void sizes_use_nginx_suffixes() {
        assertEquals(512, ValueSyntax.size("512"));
        assertEquals(512 * 1024, ValueSyntax.size("512k"));
        assertEquals(512 * 1024, ValueSyntax.size("512K"));
        assertEquals(32L * 1024 * 1024, ValueSyntax.size("32M"));
        assertEquals(1024L * 1024 * 1024, ValueSyntax.size("1g"));
        assertEquals(-1, ValueSyntax.size("1t"));
        assertEquals(-1, ValueSyntax.size("k"));
        assertEquals(-1, ValueSyntax.size("-1"));
        assertEquals(-1, ValueSyntax.size("1.5m"));
    }

    @Test
    void times_follow_ngx_parse_time_for_msec_slots() {
        // client_*_timeout: a bare number is still seconds; "ms" is allowed, last
        assertEquals(60_000, ValueSyntax.millis("60"));
        assertEquals(500, ValueSyntax.millis("500ms"));
        assertEquals(1_500, ValueSyntax.millis("1s500ms"));
        assertEquals(1_500, ValueSyntax.millis("1s 500ms"));
        assertEquals(90_000, ValueSyntax.millis("1m30s"));
        assertEquals(3_600_000, ValueSyntax.millis("1h"));
        assertEquals(0, ValueSyntax.millis("0"));
        assertEquals(-1, ValueSyntax.millis("500ms1s"));
        assertEquals(-1, ValueSyntax.millis("5x"));
        assertEquals(-1, ValueSyntax.millis(""));
    }

    @Test
    void times_follow_ngx_parse_time_for_second_slots() {
        assertEquals(90, ValueSyntax.seconds("90"));
        assertEquals(5, ValueSyntax.seconds("5s"));
        assertEquals(7200, ValueSyntax.seconds("2h"));
        assertEquals(86400, ValueSyntax.seconds("1d"));
        assertEquals(60, ValueSyntax.seconds("1m"));
        assertEquals(30L * 86400, ValueSyntax.seconds("1M"));
        assertEquals(7 * 86400, ValueSyntax.seconds("1w"));
        assertEquals(365L * 86400, ValueSyntax.seconds("1y"));
        assertEquals(3600 + 1800 + 5, ValueSyntax.seconds("1h30m5s"));
        assertEquals(3600 + 1800, ValueSyntax.seconds("1h 30m"));
        assertEquals(0, ValueSyntax.seconds("0"));
        // nginx rejects milliseconds in a seconds slot (ngx_parse_time with is_sec = 1)
        assertEquals(-1, ValueSyntax.seconds("500ms"));
        assertEquals(-1, ValueSyntax.seconds("1s1h"));
        assertEquals(-1, ValueSyntax.seconds("1h1h"));
        assertEquals(-1, ValueSyntax.seconds("5x"));
        assertEquals(-1, ValueSyntax.seconds(""));
        assertEquals(-1, ValueSyntax.seconds("s"));
    }

    @Test
    void numbers_are_plain_decimals() {
        assertEquals(10, ValueSyntax.number("10"));
        assertEquals(-1, ValueSyntax.number("+1"));
        assertEquals(-1, ValueSyntax.number("1 "));
        assertEquals(-1, ValueSyntax.number(""));
    }

    @Test
    void flags_are_case_insensitive_on_off() {
        assertEquals(Boolean.TRUE, ValueSyntax.flag("ON"));
        assertEquals(Boolean.FALSE, ValueSyntax.flag("off"));
        assertNull(ValueSyntax.flag("yes"));
    }

    @Test
    void enum_values_match_by_case_insensitive_prefix_in_table_order() {
        List<String> opts = List.of("first", "last", "broadcast");
        assertEquals(0, ValueSyntax.prefixChoice("f", opts));
        assertEquals(1, ValueSyntax.prefixChoice("LA", opts));
        assertEquals(2, ValueSyntax.prefixChoice("Broadcast", opts));
        assertEquals(0, ValueSyntax.prefixChoice("", opts));
        assertEquals(-1, ValueSyntax.prefixChoice("all", opts));
        assertEquals(-1, ValueSyntax.prefixChoice("firsts", opts));
    }
}
