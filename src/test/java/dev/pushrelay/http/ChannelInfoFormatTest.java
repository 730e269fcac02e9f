package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;
import org.junit.jupiter.api.Test;

import static dev.pushrelay.http.ChannelInfoFormat.JSON;
import static dev.pushrelay.http.ChannelInfoFormat.PLAIN;
import static dev.pushrelay.http.ChannelInfoFormat.XML;
import static dev.pushrelay.http.ChannelInfoFormat.YAML;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §3.4: the module's Accept negotiation and its four templates, byte for byte. */
class ChannelInfoFormatTest {

    private static ChannelInfoFormat.Choice n(String accept) {
        return ChannelInfoFormat.negotiate(accept);
    }

    @Test
    void absent_or_unsupported_accept_is_plain() {
        assertEquals(new ChannelInfoFormat.Choice(PLAIN, "text/plain"), n(null));
        assertEquals(PLAIN, n("*/*").format());
        assertEquals(PLAIN, n("text/html").format());
    }

    @Test
    void each_supported_type_with_a_clean_content_type() {
        assertEquals(new ChannelInfoFormat.Choice(JSON, "text/json"), n("text/json"));
        assertEquals(new ChannelInfoFormat.Choice(JSON, "application/json"), n("application/json"));
        assertEquals(new ChannelInfoFormat.Choice(JSON, "application/x-json"), n("application/x-json"));
        assertEquals(new ChannelInfoFormat.Choice(YAML, "text/yaml"), n("text/yaml"));
        assertEquals(new ChannelInfoFormat.Choice(YAML, "application/x-yaml"), n("application/x-yaml"));
        assertEquals(new ChannelInfoFormat.Choice(XML, "text/xml"), n("text/xml"));
        assertEquals(new ChannelInfoFormat.Choice(XML, "application/xml"), n("application/xml; q=0.5"));
    }

    @Test
    void left_most_supported_type_wins_ignoring_q_values() {
        assertEquals(JSON, n("application/json;q=0.1, application/xml").format());
        assertEquals(XML, n("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").format());
    }

    @Test
    void text_plain_resets_the_best_position() {
        // The module's documented quirk: text/plain at position p lets later types win again.
        assertEquals(JSON, n("text/xml, application/json, text/plain").format());
        assertEquals(PLAIN, n("text/json, text/plain").format());
        assertEquals("text/plain", n("text/json, text/plain").contentType());
    }

    @Test
    void prefix_matching() {
        assertEquals(JSON, n("text/jsonp").format());
        assertEquals(JSON, n("text/js").format());
    }

    @Test
    void templates_byte_for_byte() {
        ChannelInfo info = new ChannelInfo(2, 0, 20);
        assertEquals("queued messages: 2\r\nlast requested: 0 sec. ago (-1=never)\r\nactive subscribers: 20", PLAIN.render(info));
        assertEquals("{\"messages\": 2, \"requested\": 0, \"subscribers\": 20 }", JSON.render(info));
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\r\n<channel>\r\n  <messages>2</messages>\r\n"
                + "  <requested>0</requested>\r\n  <subscribers>20</subscribers>\r\n</channel>", XML.render(info));
        assertEquals("---\r\nmessages: 2\r\nrequested: 0\r\nsubscribers: 20\r\n\r\n", YAML.render(info));
        assertEquals("queued messages: 0\r\nlast requested: -1 sec. ago (-1=never)\r\nactive subscribers: 0",
                PLAIN.render(new ChannelInfo(0, -1, 0)));
    }
}
