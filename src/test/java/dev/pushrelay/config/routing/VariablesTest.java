package dev.pushrelay.config.routing;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import static dev.pushrelay.config.routing.RouterTest.router;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VariablesTest {

    static String id(Router r, FakeRequest req) {
        return r.route(req).variables().get("push_channel_id");
    }

    @Test
    void request_variables() throws ConfException {
        Router r = router("""
                server {
                    server_name srv.example;
                    location / {
                        set $push_channel_id "$http_x_channel_id|$cookie_sess|$uri|$request_uri|$args|$query_string|$host|$remote_addr|$is_args|$server_port";
                    }
                }
                """);
        FakeRequest req = FakeRequest.get("/a/b?x=1&y=%20").header("X-Channel-Id", "c1")
                .header("Cookie", "a=1; SESS=s%3D; z=2").header("Host", "Example.COM:8080").remote("10.9.8.7");
        assertEquals("c1|s%3D|/a/b|/a/b?x=1&y=%20|x=1&y=%20|x=1&y=%20|example.com|10.9.8.7|?|8080", id(r, req));
        // no Host header: the server's name
        assertEquals("||/|/|||srv.example|127.0.0.1||8080", id(r, FakeRequest.get("/")));
    }

    @Test
    void arg_lookup_is_raw_first_and_case_insensitive() {
        assertEquals("a%2Fb", RequestVariables.arg("ID=a%2Fb&id=2", "id"));
        assertEquals("2", RequestVariables.arg("xid=1&id=2", "id"));
        assertEquals("", RequestVariables.arg("id", "id"));
        assertEquals("", RequestVariables.arg("id&x=1", "id"));
        assertEquals("", RequestVariables.arg("id=", "id"));
        assertEquals("v", RequestVariables.arg("a=1&id=v", "id"));
        assertEquals("", RequestVariables.arg("", "id"));
        assertEquals("1;x", RequestVariables.arg("id=1;x&y", "id"));
    }

    @Test
    void set_variables_read_each_other_in_order_and_unset_is_empty() throws ConfException {
        Router r = router("""
                location / {
                    set $b "[$a]";
                    set $a 1;
                    set $push_channel_id "$b$a";
                }
                """);
        assertEquals("[]1", id(r, FakeRequest.get("/")));
    }

    @Test
    void variable_errors_at_load() {
        assertEquals("r.conf:1: set: invalid variable name \"x\"",
                assertThrows(ConfException.class, () -> router("set x 1;")).getMessage());
        assertEquals("r.conf:1: set: the closing bracket in \"a\" variable is missing",
                assertThrows(ConfException.class, () -> router("set $x ${a;")).getMessage());
        assertEquals("r.conf:1: set: invalid variable name \"$\"",
                assertThrows(ConfException.class, () -> router("set $x a$;")).getMessage());
        assertEquals("r.conf:1: set: the duplicate \"uri\" variable",
                assertThrows(ConfException.class, () -> router("set $uri 1;")).getMessage());
        assertEquals("r.conf:1: set: unknown \"foo\" variable",
                assertThrows(ConfException.class, () -> router("set $x $foo;")).getMessage());
    }
}
