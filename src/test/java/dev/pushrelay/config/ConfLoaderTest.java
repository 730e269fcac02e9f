package dev.pushrelay.config;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfLoaderTest {

    static final Path FILE = Path.of("conf/test.conf");

    static Settings parse(String text) throws ConfException {
        return ConfLoader.parse(text, FILE);
    }

    static String error(String text) {
        return assertThrows(ConfException.class, () -> parse(text)).getMessage();
    }

    static LocationSettings only(Settings s) {
        List<LocationSettings> locs = s.servers().get(0).locations();
        assertEquals(1, locs.size());
        return locs.get(0);
    }

    @Test
    void default_conf_file_loads() throws ConfException {
        Settings s = ConfLoader.load(Path.of("conf/pushrelay.conf"));
        assertEquals(1, s.servers().size());
        ServerSettings srv = s.servers().get(0);
        assertEquals(List.of(ListenAddress.DEFAULT), srv.listens());
        assertEquals(33554432L, s.maxReservedMemory());
        List<LocationSettings> locs = srv.locations();
        LocationSettings pub = locs.get(0);
        assertEquals("location /publish (conf/pushrelay.conf:5)", pub.name());
        assertEquals(Endpoint.PUBLISHER, pub.endpoint());
        assertEquals(new BufferPolicy(1, 10, 7200, false, 5, 0), pub.buffer());
        assertEquals(0, pub.minMessageRecipients());
        LocationSettings sub = locs.get(1);
        assertEquals("location /activity (conf/pushrelay.conf:15)", sub.name());
        assertEquals(Endpoint.SUBSCRIBER, sub.endpoint());
        assertEquals(PollMode.LONG_POLL, sub.pollMode());
        assertEquals(SubscribePolicy.DEFAULT, sub.subscribe());
        assertEquals("text/plain", sub.defaultType());
        assertEquals(-1, sub.minMessageRecipients());
        assertTrue(s.ignored().isEmpty());
    }

    @Test
    void defaults_of_every_setting() throws ConfException {
        LocationSettings l = only(parse("location /x { }"));
        assertEquals(Endpoint.NONE, l.endpoint());
        assertEquals(BufferPolicy.DEFAULT, l.buffer());
        assertEquals(SubscribePolicy.DEFAULT, l.subscribe());
        assertEquals("", l.channelGroup());
        assertEquals(1024, l.maxChannelIdLength());
        assertEquals(0, l.subscriberTimeoutSeconds());
        assertFalse(l.ignoreQueueOnNoCache());
        assertEquals("text/plain", l.defaultType());
        assertEquals(1048576, l.clientMaxBodySize());
        assertFalse(l.gzip());
        assertEquals(List.of("text/html"), l.gzipTypes());
        assertEquals(20, l.gzipMinLength());
        assertEquals(75, l.keepaliveTimeoutSeconds());
        assertEquals("html", l.root());
        assertEquals(List.of("index.html"), l.index());
        assertTrue(l.access().allows("10.1.2.3"));
        assertTrue(l.addHeaders().isEmpty());
    }

    @Test
    void every_push_directive_is_parsed() throws ConfException {
        LocationSettings l = only(parse("""
                set $push_channel_id $arg_id;
                location /s {
                    push_subscriber interval-poll;
                    push_subscriber_concurrency LA;
                    push_subscriber_timeout 30s;
                    push_authorized_channels_only on;
                    push_max_channel_subscribers 7;
                    push_ignore_queue_on_no_cache ON;
                    push_channel_group grp;
                    push_max_channel_id_length 16;
                    push_channel_timeout 1m;
                    push_min_message_buffer_length 2;
                    push_max_message_buffer_length 20;
                    push_message_timeout 1d;
                    push_delete_oldest_received_message on;
                    client_max_body_size 32M;
                    default_type application/json;
                }
                """));
        assertEquals(Endpoint.SUBSCRIBER, l.endpoint());
        assertEquals(PollMode.INTERVAL_POLL, l.pollMode());
        assertEquals(new SubscribePolicy(ConcurrencyMode.LAST, true, 7, 60), l.subscribe());
        assertEquals(new BufferPolicy(2, 20, 86400, true, 60), l.buffer());
        assertEquals(30, l.subscriberTimeoutSeconds());
        assertTrue(l.ignoreQueueOnNoCache());
        assertEquals("grp", l.channelGroup());
        assertEquals(16, l.maxChannelIdLength());
        assertEquals(32L * 1024 * 1024, l.clientMaxBodySize());
        assertEquals("application/json", l.defaultType());
    }

    @Test
    void subscriber_values_match_by_prefix() throws ConfException {
        assertEquals(PollMode.INTERVAL_POLL, only(parse("set $push_channel_id 1; location /a { push_subscriber inter; }")).pollMode());
        assertEquals(PollMode.LONG_POLL, only(parse("set $push_channel_id 1; location /a { push_subscriber Long; }")).pollMode());
        assertEquals(ConcurrencyMode.FIRST, only(parse("location /a { push_subscriber_concurrency f; }")).subscribe().concurrency());
    }

    @Test
    void last_of_publisher_and_subscriber_wins() throws ConfException {
        assertEquals(Endpoint.PUBLISHER, only(parse(
                "set $push_channel_id 1; location /a { push_subscriber; push_publisher; }")).endpoint());
        assertEquals(Endpoint.SUBSCRIBER, only(parse(
                "set $push_channel_id 1; location /a { push_publisher; push_subscriber; }")).endpoint());
    }

    @Test
    void store_messages_off_sets_buffer_to_zero_and_other_words_are_ignored() throws ConfException {
        BufferPolicy b = only(parse("location /a { push_store_messages OFF; }")).buffer();
        assertEquals(0, b.minMessages());
        assertEquals(0, b.maxMessages());
        assertEquals(BufferPolicy.DEFAULT, only(parse("location /a { push_store_messages whatever; }")).buffer());
        // an earlier length is silently overridden
        assertEquals(0, only(parse("location /a { push_max_message_buffer_length 5; push_store_messages off; }"))
                .buffer().maxMessages());
        // the old flag name
        assertEquals(0, only(parse("location /a { push_queue_messages off; }")).buffer().maxMessages());
    }

    @Test
    void store_messages_off_makes_later_buffer_lengths_duplicate() {
        assertEquals("conf/test.conf:3: push_max_message_buffer_length: "
                        + "\"push_max_message_buffer_length\" directive is duplicate",
                error("location /a {\n push_store_messages off;\n push_max_message_buffer_length 5;\n}"));
        assertEquals("conf/test.conf:1: push_message_buffer_length: \"push_message_buffer_length\" directive is duplicate",
                error("location /a { push_min_message_buffer_length 0; push_message_buffer_length 3; }"));
    }

    @Test
    void message_buffer_length_sets_min_and_max() throws ConfException {
        BufferPolicy b = only(parse("location /a { push_message_buffer_length 4; }")).buffer();
        assertEquals(4, b.minMessages());
        assertEquals(4, b.maxMessages());
    }

    @Test
    void inheritance_http_server_location_nested() throws ConfException {
        Settings s = parse("""
                http {
                    push_max_reserved_memory 64m;
                    push_message_timeout 10s;
                    push_subscriber_concurrency first;
                    server {
                        push_channel_group g;
                        push_max_channel_id_length 5;
                        location /a {
                            push_message_timeout 20s;
                            location /a/b {
                                push_max_channel_id_length 9;
                            }
                        }
                    }
                }
                """);
        assertEquals(64L * 1024 * 1024, s.maxReservedMemory());
        List<LocationSettings> locs = s.servers().get(0).locations();
        LocationSettings a = locs.get(0);
        LocationSettings ab = locs.get(1);
        assertEquals(20, a.buffer().messageTimeoutSeconds());
        assertEquals(ConcurrencyMode.FIRST, a.subscribe().concurrency());
        assertEquals("g", a.channelGroup());
        assertEquals(5, a.maxChannelIdLength());
        assertEquals(20, ab.buffer().messageTimeoutSeconds());
        assertEquals("g", ab.channelGroup());
        assertEquals(9, ab.maxChannelIdLength());
        assertEquals("location /a/b (conf/test.conf:10)", ab.name());
    }

    @Test
    void max_below_min_fails_at_merge_time() {
        String msg = "push_max_message_buffer_length cannot be smaller than push_min_message_buffer_length.";
        // inherited default min is 1 (protocol.md §2.2)
        assertEquals("conf/test.conf:2: push_max_message_buffer_length: " + msg,
                error("location /a {\n    push_max_message_buffer_length 0;\n}"));
        // min from http, max in a location
        assertEquals("conf/test.conf:5: push_max_message_buffer_length: " + msg,
                error("http {\n push_min_message_buffer_length 5;\n server {\n  location /a {\n   push_max_message_buffer_length 3;\n  }\n }\n}"));
        // min raised in a location above the inherited max
        assertEquals("conf/test.conf:1: push_min_message_buffer_length: " + msg,
                error("location /a { push_min_message_buffer_length 11; }"));
    }

    @Test
    void historical_names_are_accepted() throws ConfException {
        Settings s = parse("http { push_buffer_size 16M; server { location /a { push_min_message_recipients 2; } } }");
        assertEquals(16L * 1024 * 1024, s.maxReservedMemory());
        assertEquals(2, only(s).minMessageRecipients());
    }

    @Test
    void bare_locations_file_accepts_http_level_memory() throws ConfException {
        assertEquals(1024L * 1024, parse("push_max_reserved_memory 1m;\nlocation /a {}").maxReservedMemory());
    }

    @Test
    void directive_errors_are_nginx_like_with_file_and_line() {
        assertEquals("conf/test.conf:2: push_subscriber_concurrency: invalid push_subscriber_concurrency value: \"all\"",
                error("location /a {\n push_subscriber_concurrency all;\n}"));
        assertEquals("conf/test.conf:1: push_subscriber: invalid push_subscriber value: \"sometimes\"",
                error("location /a { push_subscriber sometimes; }"));
        assertEquals("conf/test.conf:1: foo: unknown directive \"foo\"", error("foo bar;"));
        assertEquals("conf/test.conf:1: push_stream_publisher: \"push_stream_publisher\" directive is not supported by pushrelay",
                error("location /p { push_stream_publisher; }"));
        assertEquals("conf/test.conf:2: push_publisher: \"push_publisher\" directive is not allowed here",
                error("http {\n push_publisher;\n}"));
        assertEquals("conf/test.conf:1: push_max_reserved_memory: \"push_max_reserved_memory\" directive is not allowed here",
                error("server { push_max_reserved_memory 1m; }"));
        assertEquals("conf/test.conf:1: push_message_timeout: invalid number of arguments in \"push_message_timeout\" directive",
                error("push_message_timeout 1 2;"));
        assertEquals("conf/test.conf:1: push_publisher: invalid number of arguments in \"push_publisher\" directive",
                error("push_publisher x;"));
        assertEquals("conf/test.conf:1: push_message_timeout: invalid value \"5x\"", error("push_message_timeout 5x;"));
        assertEquals("conf/test.conf:1: push_message_timeout: invalid value \"500ms\"", error("push_message_timeout 500ms;"));
        assertEquals("conf/test.conf:1: push_max_channel_subscribers: invalid number \"-1\"",
                error("push_max_channel_subscribers -1;"));
        assertEquals("conf/test.conf:1: push_authorized_channels_only: invalid value \"yes\" in "
                        + "\"push_authorized_channels_only\" directive, it must be \"on\" or \"off\"",
                error("push_authorized_channels_only yes;"));
        assertEquals("conf/test.conf:1: client_max_body_size: invalid value \"1x\"", error("client_max_body_size 1x;"));
        assertEquals("conf/test.conf:2: push_subscriber_concurrency: \"push_subscriber_concurrency\" directive is duplicate",
                error("push_subscriber_concurrency first;\npush_subscriber_concurrency last;"));
        assertEquals("conf/test.conf:1: push_subscriber: \"push_subscriber\" directive is duplicate",
                error("set $push_channel_id 1; location /a { push_subscriber; push_subscriber; }"));
        assertEquals("conf/test.conf:1: location: directive \"location\" has no opening \"{\"", error("location /a;"));
        assertEquals("conf/test.conf:1: push_publisher: directive \"push_publisher\" is not terminated by \";\"",
                error("push_publisher { }"));
    }

    @Test
    void endpoint_without_any_channel_id_is_an_unknown_variable() {
        assertEquals("conf/test.conf:2: push_publisher: unknown \"push_channel_id\" variable",
                error("location /a {\n push_publisher;\n}"));
    }

    @Test
    void server_list_file_and_full_nginx_conf() throws ConfException {
        Settings a = parse("server { listen 8081; location /a {} }\nserver { listen 127.0.0.1:8082; }");
        assertEquals(2, a.servers().size());
        assertEquals(new ListenAddress("0.0.0.0", 8081, false), a.servers().get(0).listens().get(0));
        assertEquals("conf/test.conf:1", a.servers().get(0).where());
        Settings b = parse("worker_processes 1;\nevents { worker_connections 1024; }\nhttp { server { location / {} } }");
        assertEquals(List.of("conf/test.conf:2: worker_connections"), b.ignored());
        assertEquals(1, b.process().ioThreads(), "worker_processes sets the IO threads");
        assertEquals(1, b.servers().get(0).locations().size());
        assertEquals("conf/test.conf:2: location: \"location\" directive is not allowed here",
                error("server {}\nlocation /a {}"));
    }
}
