package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §13: nchan's Redis directives, as an nchan configuration spells them. */
class RedisDirectivesTest {

    private static List<LocationSettings> locations(String text) throws ConfException {
        return parse(text).servers().get(0).locations();
    }

    @Test
    void s13_upstream_with_nchan_redis_server_and_nchan_redis_pass() throws ConfException {
        List<LocationSettings> locs = locations("""
                http {
                    upstream rds {
                        nchan_redis_server redis://:secret@127.0.0.1:6380/2;
                        keepalive 4;
                    }
                    server {
                        nchan_redis_namespace app:;
                        location /pub { push_publisher; set $push_channel_id $arg_id; nchan_redis_pass rds; }
                        location /sub { push_subscriber; set $push_channel_id $arg_id; nchan_redis_pass rds;
                                        nchan_redis_command_timeout 500ms; }
                        location /mem { push_subscriber; set $push_channel_id $arg_id; }
                    }
                }
                """);
        assertEquals(new RedisSettings("redis://:secret@127.0.0.1:6380/2", "app:", 600, 2000), locs.get(0).redis());
        assertEquals(new RedisSettings("redis://:secret@127.0.0.1:6380/2", "app:", 600, 500), locs.get(1).redis());
        assertNull(locs.get(2).redis(), "a location without them keeps the in-memory store");
    }

    @Test
    void s13_nchan_redis_url_needs_nchan_use_redis_and_is_inherited() throws ConfException {
        List<LocationSettings> locs = locations("""
                nchan_redis_url 127.0.0.1:7000;
                location /a { push_publisher; set $push_channel_id $arg_id; nchan_use_redis on; }
                location /b { push_publisher; set $push_channel_id $arg_id; }
                location /c { push_publisher; set $push_channel_id $arg_id; nchan_use_redis on;
                              nchan_redis_connect_timeout 2s; }
                """);
        assertEquals(new RedisSettings("redis://127.0.0.1:7000", "", 600, 2000), locs.get(0).redis());
        assertNull(locs.get(1).redis(), "nchan_redis_url alone does not move a location to Redis");
        assertEquals(2000, locs.get(2).redis().connectTimeoutMs());
    }

    @Test
    void s13_an_upstream_without_nchan_redis_server_is_ignored_as_before() throws ConfException {
        Settings s = parse("""
                http {
                    upstream app { server 127.0.0.1:8080; }
                    server { location /p { push_publisher; set $push_channel_id $arg_id; } }
                }
                """);
        assertTrue(s.ignored().stream().anyMatch(i -> i.endsWith(": upstream")), s.ignored().toString());
        assertNull(s.servers().get(0).locations().get(0).redis());
    }

    @Test
    void s13_several_servers_in_one_upstream_are_a_clusters_seeds() throws ConfException {
        List<LocationSettings> locs = locations("""
                http {
                    upstream rds {
                        nchan_redis_server redis://127.0.0.1:7000;
                        nchan_redis_server 127.0.0.1:7001;
                    }
                    server { location /p { push_publisher; set $push_channel_id $arg_id; nchan_redis_pass rds; } }
                }
                """);
        RedisSettings r = locs.get(0).redis();
        assertEquals("redis://127.0.0.1:7000", r.url());
        assertEquals(List.of("redis://127.0.0.1:7000", "redis://127.0.0.1:7001"), r.seeds());
        assertEquals("conf/test.conf:4", r.where(), "the second server, named if they are not one cluster");
        assertEquals("conf/test.conf:1: nchan_redis_server: \"nchan_redis_server\" directive is duplicate",
                error("upstream r { nchan_redis_server redis://a:1; nchan_redis_server a:1; }"));
    }

    @Test
    void s13_errors_name_file_line_and_directive() {
        assertEquals("conf/test.conf:1: nchan_redis_pass: no upstream \"nope\" with nchan_redis_server",
                error("location /p { push_publisher; set $push_channel_id $arg_id; nchan_redis_pass nope; }"));
        assertEquals("conf/test.conf:1: nchan_redis_url: invalid redis url \"http://x\"",
                error("nchan_redis_url http://x;"));
        assertEquals("conf/test.conf:1: nchan_use_redis: invalid value \"yes\" in \"nchan_use_redis\" directive,"
                + " it must be \"on\" or \"off\"", error("nchan_use_redis yes;"));
        assertEquals("conf/test.conf:1: nchan_redis_server: \"nchan_redis_server\" directive is not allowed here",
                error("nchan_redis_server redis://127.0.0.1;"));
        assertEquals("conf/test.conf:1: nchan_redis_namespace: \"nchan_redis_namespace\" directive is duplicate",
                error("nchan_redis_namespace a; nchan_redis_namespace b;"));
    }
}
