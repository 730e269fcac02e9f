package dev.pushrelay.config;

import dev.pushrelay.config.routing.FakeRequest;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §8.10: load-time checks of auth_basic, satisfy and limit_except, and the decisions. */
class AccessDirectivesTest {

    private static String error(String conf) {
        return assertThrows(ConfException.class, () -> ConfLoader.parse(conf, Path.of("a.conf"))).getMessage();
    }

    private static AccessPolicy policy(String conf) throws ConfException {
        return ConfLoader.parse(conf, Path.of("a.conf")).servers().get(0).locations().get(0).accessPolicy();
    }

    @Test
    void s8_10_errors_name_file_line_and_directive() {
        assertEquals("a.conf:1: limit_except: invalid method \"FETCH\"", error("location / { limit_except FETCH { } }"));
        assertEquals("a.conf:1: limit_except: \"limit_except\" directive is not allowed here", error("limit_except GET { }"));
        assertEquals("a.conf:1: push_publisher: \"push_publisher\" directive is not allowed here",
                error("location / { limit_except GET { push_publisher; } }"));
        assertEquals("a.conf:1: satisfy: invalid value \"some\" in \"satisfy\" directive, it must be \"all\" or \"any\"",
                error("satisfy some;"));
        assertEquals("a.conf:1: auth_basic_user_file: variables in \"auth_basic_user_file\" are not supported by pushrelay",
                error("auth_basic_user_file /etc/$host;"));
        assertEquals("a.conf:1: auth_basic: \"auth_basic\" directive is duplicate", error("auth_basic a; auth_basic b;"));
        assertEquals("a.conf:1: limit_except: \"limit_except\" directive is duplicate",
                error("location / { limit_except GET { } limit_except POST { } }"));
    }

    @Test
    void s8_10_limit_except_inherits_the_location_rules_and_lets_listed_methods_through() throws ConfException {
        AccessPolicy p = policy("location / { deny 10.0.0.0/8; limit_except GET { auth_basic x; auth_basic_user_file nope; } }");
        assertTrue(p.decide("GET", "127.0.0.1", null).allowed());
        assertTrue(p.decide("HEAD", "127.0.0.1", null).allowed());
        assertEquals(403, p.decide("GET", "10.1.1.1", null).status());
        assertEquals(403, p.decide("POST", "10.1.1.1", null).status(), "the inherited deny runs first");
        assertEquals(401, p.decide("POST", "127.0.0.1", null).status());
        assertEquals(401, p.decide("FOO", "127.0.0.1", null).status(), "unknown methods are always limited");
    }

    @Test
    void s8_10_auth_basic_needs_a_user_file_and_off_turns_it_off() throws ConfException {
        assertTrue(policy("location / { auth_basic x; }").open());
        assertTrue(policy("auth_basic x; auth_basic_user_file f; location / { auth_basic off; }").open());
        assertEquals(401, policy("auth_basic x; auth_basic_user_file f; location / { }").decide("GET", "::1", null).status());
    }

    /** The README's example loads (its user file missing: the start does not fail, as in nginx). */
    @Test
    void readme_example_loads() throws ConfException {
        Settings s = ConfLoader.parse("""
                location /publish {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    limit_except GET {
                        auth_basic "publishers";
                        auth_basic_user_file htpasswd;
                    }
                }
                location /old/listen/ {
                    rewrite ^/old/listen/(\\w+)$ /activity?id=$1? last;
                }
                location /activity { set $push_channel_id $arg_id; push_subscriber; }
                """, Path.of("readme.conf"));
        AccessPolicy p = s.servers().get(0).locations().get(0).accessPolicy();
        assertTrue(p.decide("GET", "127.0.0.1", null).allowed());
        assertEquals(401, p.decide("POST", "127.0.0.1", null).status());
        assertEquals(Endpoint.SUBSCRIBER, new Router(s).route(FakeRequest.get("/old/listen/x")).location().endpoint());
        assertEquals("x", new Router(s).route(FakeRequest.get("/old/listen/x?y=1")).channelId());
    }
}
