package dev.pushrelay.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §4.2: Last-Modified is written in RFC 1123 form and read in all three HTTP date forms. */
class HttpDatesTest {

    private static final long NOV_6_1994 = 784111777L;

    @Test
    void formats_with_two_digit_day_and_gmt() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDates.format(NOV_6_1994));
    }

    @Test
    void parses_rfc1123_rfc850_and_asctime() {
        assertEquals(NOV_6_1994, HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(NOV_6_1994, HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(NOV_6_1994, HttpDates.parse("Sun Nov  6 08:49:37 1994"));
    }

    @Test
    void garbage_is_invalid() {
        assertEquals(HttpDates.INVALID, HttpDates.parse("yesterday"));
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 06 Nov 1994 25:49:37 GMT"));
        assertEquals(HttpDates.INVALID, HttpDates.parse(""));
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 06 Foo 1994 08:49:37 GMT"));
    }

    @Test
    void round_trips_now() {
        long t = 1_790_000_000L;
        assertEquals(t, HttpDates.parse(HttpDates.format(t)));
    }

    @Test
    void the_fixed_form_fast_path_agrees_with_the_general_parser_and_refuses_what_it_refuses() {
        for (long t = 0; t < 4_000_000_000L; t += 987_654_321L) {
            assertEquals(t, HttpDates.parse(HttpDates.format(t)));
        }
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 31 Feb 1994 08:49:37 GMT"));
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 06 Nov 1994 08:49:37 UTC"));
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 0x Nov 1994 08:49:37 GMT"));
        assertEquals(HttpDates.INVALID, HttpDates.parse("Sun, 06 Nov 1969 08:49:37 GMT"));
        assertEquals(NOV_6_1994, HttpDates.parse("sun, 06 nov 1994 08:49:37 GMT"), "names are case-insensitive");
    }

    @Test
    void s4_2_every_day_from_1970_to_2200_formats_and_parses_as_the_jdk_does() {
        java.time.format.DateTimeFormatter jdk = java.time.format.DateTimeFormatter
                .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);
        long end = java.time.LocalDate.of(2200, 1, 1).toEpochDay() * 86_400;
        for (long t = 0; t < end; t += 86_400 + 3_599) { // a different time of day each day
            String expected = jdk.format(java.time.Instant.ofEpochSecond(t));
            assertEquals(expected, HttpDates.format(t));
            assertEquals(t, HttpDates.parse(expected));
        }
        assertEquals(951_782_400L, HttpDates.parse("Tue, 29 Feb 2000 00:00:00 GMT"), "2000 is a leap year");
        assertEquals(HttpDates.INVALID, HttpDates.parse("Thu, 29 Feb 2100 00:00:00 GMT"), "2100 is not");
        assertEquals(HttpDates.INVALID, HttpDates.parse("Wed, 31 Apr 2024 00:00:00 GMT"));
    }
}
