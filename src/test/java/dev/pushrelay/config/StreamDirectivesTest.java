package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static dev.pushrelay.config.NginxDirectivesTest.loc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14: the directives of the streaming transports. */
class StreamDirectivesTest {

    @Test
    void s14_ping_interval_and_gap_header_inherit_and_default_off() throws ConfException {
        Settings s = parse("""
                nchan_eventsource_ping_interval 1m;
                location /a { push_subscriber; set $push_channel_id $arg_id; }
                location /b { push_subscriber; set $push_channel_id $arg_id; nchan_eventsource_ping_interval 5; pushrelay_cursor_gap_header on; }
                """);
        assertEquals(60, loc(s, 0).streams().eventSourcePingSeconds());
        assertFalse(loc(s, 0).streams().gapHeader());
        assertEquals(5, loc(s, 1).streams().eventSourcePingSeconds());
        assertTrue(loc(s, 1).streams().gapHeader());
        assertEquals(StreamSettings.DEFAULT, loc(parse("location /c { push_subscriber; set $push_channel_id $arg_id; }"), 0).streams());
    }

    @Test
    void s14_bad_values_name_the_file_line_and_directive() {
        assertEquals("conf/test.conf:2: nchan_eventsource_ping_interval: invalid value \"soon\" in "
                + "\"nchan_eventsource_ping_interval\" directive", error("location /a {\n nchan_eventsource_ping_interval soon;\n}"));
        assertTrue(error("location /a {\n pushrelay_cursor_gap_header maybe;\n}").contains("it must be \"on\" or \"off\""));
        assertTrue(error("location /a {\n nchan_eventsource_ping_interval 1;\n nchan_eventsource_ping_interval 2;\n}")
                .contains("is duplicate"));
    }
}
