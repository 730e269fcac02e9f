package dev.pushrelay.config;

import dev.pushrelay.config.routing.FakeRequest;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.util.Set;

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

    @Test
    void s14_7_nchan_subscriber_names_the_transports_served() throws ConfException {
        Settings s = parse("""
                location /a { nchan_subscriber; set $push_channel_id $arg_id; }
                location /b { nchan_subscriber eventsource longpoll; set $push_channel_id $arg_id; }
                location /c { nchan_subscriber intervalpoll longpoll; set $push_channel_id $arg_id; }
                location /d { push_subscriber interval-poll; set $push_channel_id $arg_id; }
                location /e { nchan_publisher http; set $push_channel_id $arg_id; }
                """);
        assertEquals(Set.of(SubscriberTransport.WEBSOCKET, SubscriberTransport.EVENTSOURCE, SubscriberTransport.LONGPOLL,
                SubscriberTransport.CHUNKED, SubscriberTransport.MULTIPART_MIXED), loc(s, 0).streams().transports(),
                "nchan's default");
        assertEquals(Endpoint.SUBSCRIBER, loc(s, 0).endpoint());
        assertEquals(PollMode.LONG_POLL, loc(s, 0).pollMode());
        assertEquals(Set.of(SubscriberTransport.EVENTSOURCE, SubscriberTransport.LONGPOLL), loc(s, 1).streams().transports());
        assertEquals(PollMode.INTERVAL_POLL, loc(s, 2).pollMode(), "nchan prefers intervalpoll to longpoll");
        assertEquals(StreamSettings.DEFAULT.transports(), loc(s, 3).streams().transports());
        assertEquals(PollMode.INTERVAL_POLL, loc(s, 3).pollMode());
        assertEquals(Endpoint.PUBLISHER, loc(s, 4).endpoint());
        assertTrue(loc(s, 4).streams().publishHttp());
        assertFalse(loc(s, 4).streams().publishWebSocket(), "nchan_publisher http: no WebSocket publishers");
    }

    @Test
    void s14_11_chunked_and_multipart_take_nchans_aliases() throws ConfException {
        Settings s = parse("""
                location /a { nchan_subscriber http-chunked multipart/mixed; nchan_channel_id a; }
                location /b { nchan_subscriber chunked http-multipart; nchan_channel_id a; }
                location /c { nchan_subscriber multipart-mixed multipart; nchan_channel_id a; }
                """);
        Set<SubscriberTransport> both = Set.of(SubscriberTransport.CHUNKED, SubscriberTransport.MULTIPART_MIXED);
        assertEquals(both, loc(s, 0).streams().transports());
        assertEquals(both, loc(s, 1).streams().transports());
        assertEquals(Set.of(SubscriberTransport.MULTIPART_MIXED), loc(s, 2).streams().transports());
        assertFalse(loc(s, 0).streams().servesPolls(), "a plain GET is 403 there");
    }

    @Test
    void s14_9_nchan_publisher_names_http_websocket_or_both() throws ConfException {
        Settings s = parse("""
                location /a { nchan_publisher; nchan_channel_id a; }
                location /b { nchan_publisher websocket; nchan_channel_id a; }
                location /c { nchan_publisher websocket http; nchan_channel_id a; }
                location /d { push_publisher; nchan_channel_id a; }
                location /e { nchan_publisher websocket; push_publisher; nchan_channel_id a; }
                """);
        for (int i : new int[] {0, 2, 3, 4}) {
            assertTrue(loc(s, i).streams().publishHttp() && loc(s, i).streams().publishWebSocket(), "location " + i);
        }
        assertFalse(loc(s, 1).streams().publishHttp());
        assertTrue(loc(s, 1).streams().publishWebSocket());
    }

    @Test
    void s14_7_nchan_names_of_the_module_directives_set_the_same_settings() throws ConfException {
        Settings s = parse("""
                location /a {
                    nchan_subscriber; set $push_channel_id $arg_id;
                    nchan_message_buffer_length 7; nchan_message_timeout 5m; nchan_subscriber_timeout 30;
                    nchan_store_messages on; nchan_max_channel_subscribers 3; nchan_subscribe_existing_channels_only on;
                }
                location /b { nchan_subscriber; set $push_channel_id $arg_id; nchan_store_messages off; }
                """);
        LocationSettings a = loc(s, 0);
        assertEquals(7, a.buffer().maxMessages());
        assertEquals(300, a.buffer().messageTimeoutSeconds());
        assertEquals(30, a.subscriberTimeoutSeconds());
        assertEquals(3, a.subscribe().maxSubscribers());
        assertTrue(a.subscribe().authorizedOnly());
        assertEquals(0, loc(s, 1).buffer().maxMessages(), "nchan_store_messages off stores nothing");
    }

    @Test
    void s14_7_what_is_not_built_is_refused_with_file_line() {
        assertEquals("conf/test.conf:2: nchan_subscriber: \"nchan_subscriber http-raw-stream\" is not supported yet: "
                + "websocket, eventsource, longpoll, intervalpoll, chunked and multipart-mixed are",
                error("location /a {\n nchan_subscriber longpoll http-raw-stream;\n set $push_channel_id $arg_id;\n}"));
        assertEquals("conf/test.conf:1: nchan_subscriber: invalid nchan_subscriber value: \"long-poll\"",
                error("location /a { nchan_subscriber long-poll; set $push_channel_id $arg_id; }"));
        assertEquals("conf/test.conf:1: nchan_publisher: invalid nchan_publisher value: \"ftp\"",
                error("location /a { nchan_publisher ftp; set $push_channel_id $arg_id; }"));
        assertTrue(error("location /a {\n nchan_subscriber;\n push_subscriber;\n set $push_channel_id $arg_id;\n}")
                .contains("is duplicate"));
        assertTrue(error("location /a { nchan_subscriber; nchan_channel_id a; nchan_channel_id b; }").contains("is duplicate"));
    }

    @Test
    void s14_7_nchan_channel_id_needs_no_push_channel_id() throws ConfException {
        Settings s = parse("""
                location /a { nchan_subscriber; nchan_channel_id $arg_c; }
                location /b { nchan_publisher; }
                """);
        assertTrue(loc(s, 0).streams().namesChannel());
        assertFalse(loc(s, 1).streams().namesChannel(), "no id: requests get 404 No channel id provided.");
    }

    @Test
    void s14_7_push_subscriber_named_by_nchan_channel_id_needs_no_push_channel_id() throws ConfException {
        Settings s = parse("""
                server {
                    nchan_channel_id srv;
                    location /a { push_subscriber; nchan_channel_id $arg_c; }
                    location /b { push_publisher; }
                }
                """);
        Router r = new Router(s);
        assertEquals("x", r.route(FakeRequest.get("/a?c=x")).channelId());
        assertEquals("srv", r.route(FakeRequest.get("/b")).channelId(), "inherited from the server");
        assertEquals("conf/test.conf:1: push_subscriber: unknown \"push_channel_id\" variable",
                error("location /a { push_subscriber; }"));
    }

    @Test
    void s14_8_several_ids_and_the_split_delimiter_make_one_multiplexed_id() throws ConfException {
        Settings s = parse("""
                location /a { nchan_subscriber; nchan_channel_id a $arg_b c; }
                location /b { nchan_subscriber; nchan_channel_id $arg_ids; nchan_channel_id_split_delimiter ","; }
                location /c { nchan_subscriber; nchan_channel_id $arg_ids x; nchan_channel_id_split_delimiter "::"; }
                """);
        Router r = new Router(s);
        assertEquals(java.util.List.of("a", "B", "c"), StreamSettings.ids(r.route(FakeRequest.get("/a?b=B")).channelId()));
        assertEquals(java.util.List.of("a", "", "c"), StreamSettings.ids(r.route(FakeRequest.get("/a")).channelId()),
                "an empty value is an empty id, as nchan's");
        assertEquals(java.util.List.of("one"), StreamSettings.ids(r.route(FakeRequest.get("/b?ids=one")).channelId()));
        assertEquals(java.util.List.of("p", "q"), StreamSettings.ids(r.route(FakeRequest.get("/b?ids=p,q,")).channelId()),
                "a delimiter at the end adds no id (nchan)");
        assertEquals(java.util.List.of("", "p", "", "q"),
                StreamSettings.ids(r.route(FakeRequest.get("/b?ids=,p,,q")).channelId()));
        assertEquals(null, r.route(FakeRequest.get("/b?ids=,")).channelId(), "one empty id: 404 No channel id provided.");
        assertEquals(java.util.List.of("p", "q", "x"), StreamSettings.ids(r.route(FakeRequest.get("/c?ids=p::q")).channelId()));
        assertTrue(error("location /a { nchan_subscriber; nchan_channel_id a; nchan_channel_id_split_delimiter a b; }")
                .contains("invalid number of arguments"));
    }

    @Test
    void s14_7_first_message_takes_nchans_words_and_numbers() throws ConfException {
        Settings s = parse("""
                location /a { nchan_subscriber; nchan_channel_id a; nchan_subscriber_first_message newest; }
                location /b { nchan_subscriber; nchan_channel_id a; nchan_subscriber_first_message oldest; }
                location /c { nchan_subscriber; nchan_channel_id a; }
                location /d { nchan_subscriber; nchan_channel_id a; nchan_subscriber_first_message -2; }
                location /e { nchan_subscriber; nchan_channel_id a; nchan_subscriber_first_message 32; }
                """);
        assertTrue(loc(s, 0).streams().firstNewest());
        assertFalse(loc(s, 1).streams().firstNewest());
        assertEquals(StreamSettings.OLDEST, loc(s, 2).streams().firstMessage());
        assertEquals(-2, loc(s, 3).streams().firstMessage());
        assertEquals(32, loc(s, 4).streams().firstMessage());
        assertTrue(error("location /a { nchan_subscriber_first_message -33; }").contains("between -32 and 32"),
                "nchan checks the size without the sign");
        assertEquals("conf/test.conf:1: nchan_subscriber_first_message: invalid nchan_subscriber_first_message value: "
                + "\"33\", it must be \"oldest\", \"newest\" or a number between -32 and 32",
                error("location /a { nchan_subscriber_first_message 33; }"));
        assertEquals("conf/test.conf:1: nchan_subscriber_first_message: invalid nchan_subscriber_first_message value: "
                + "\"now\", it must be \"oldest\", \"newest\" or a number", error("location /a { nchan_subscriber_first_message now; }"));
    }
}
