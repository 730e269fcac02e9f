package dev.pushrelay.config.routing;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.pushrelay.config.routing.RouterTest.router;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServerSelectorTest {

    static String server(Router r, String host, String localHost, int port) {
        FakeRequest req = FakeRequest.get("/").local(localHost, port);
        if (host != null) {
            req.header("Host", host);
        }
        return r.route(req).server().serverNames().get(0);
    }

    @Test
    void listen_forms() throws ConfException {
        var s = ConfLoader.parse("""
                server {
                    listen 80;
                    listen 127.0.0.1:8080 default_server;
                    listen *:81 backlog=511 reuseport;
                    listen [::]:82 ipv6only=on;
                    listen [::1];
                    listen localhost:83 default;
                    listen 10.0.0.1;
                }
                """, java.nio.file.Path.of("l.conf")).servers().get(0);
        assertEquals(List.of(new ListenAddress("0.0.0.0", 80, false), new ListenAddress("127.0.0.1", 8080, true),
                new ListenAddress("0.0.0.0", 81, false), new ListenAddress("::", 82, false), new ListenAddress("::1", 80, false),
                new ListenAddress("127.0.0.1", 83, true), new ListenAddress("10.0.0.1", 80, false)), s.listens());
        assertEquals("[::]:82", s.listens().get(3).toString());
    }

    @Test
    void listen_errors() {
        assertEquals("l.conf:1: listen: invalid port in \"127.0.0.1:70000\" of the \"listen\" directive",
                assertThrows(ConfException.class, () -> ConfLoader.parse("server { listen 127.0.0.1:70000; }",
                        java.nio.file.Path.of("l.conf"))).getMessage());
        assertEquals("l.conf:1: listen: host not found in \"nosuch.invalid:80\" of the \"listen\" directive",
                assertThrows(ConfException.class, () -> ConfLoader.parse("server { listen nosuch.invalid:80; }",
                        java.nio.file.Path.of("l.conf"))).getMessage());
        assertEquals("l.conf:1: listen: invalid parameter \"bogus\"",
                assertThrows(ConfException.class, () -> ConfLoader.parse("server { listen 80 bogus; }",
                        java.nio.file.Path.of("l.conf"))).getMessage());
    }

    @Test
    void host_header_choice_follows_nginx_order() throws ConfException {
        Router r = router("""
                server { listen 80; server_name first; }
                server { listen 80; server_name www.example.com; }
                server { listen 80; server_name *.example.com; }
                server { listen 80; server_name *.a.example.com; }
                server { listen 80; server_name mail.*; }
                server { listen 80; server_name ~^(?<user>\\w+)\\.users\\.net$ ~^api\\d; }
                server { listen 80 default_server; server_name dflt; }
                server { listen 80; server_name .example.org; }
                """);
        assertEquals("www.example.com", server(r, "WWW.Example.COM:80", "10.1.1.1", 80));
        assertEquals("*.example.com", server(r, "x.example.com", "10.1.1.1", 80));
        assertEquals("*.a.example.com", server(r, "x.a.example.com", "10.1.1.1", 80));
        assertEquals("mail.*", server(r, "mail.example.net", "10.1.1.1", 80));
        assertEquals("*.example.com", server(r, "mail.example.com", "10.1.1.1", 80)); // leading before trailing
        assertEquals("~^(?<user>\\w+)\\.users\\.net$", server(r, "bob.users.net", "10.1.1.1", 80));
        assertEquals("~^(?<user>\\w+)\\.users\\.net$", server(r, "api2.x", "10.1.1.1", 80));
        assertEquals(".example.org", server(r, "example.org", "10.1.1.1", 80));
        assertEquals(".example.org", server(r, "a.b.example.org", "10.1.1.1", 80));
        assertEquals("dflt", server(r, "unknown", "10.1.1.1", 80));
        assertEquals("dflt", server(r, null, "10.1.1.1", 80));
        assertEquals("first", server(r, "first.", "10.1.1.1", 80));
    }

    @Test
    void address_specific_listen_beats_wildcard_and_first_server_is_default() throws ConfException {
        Router r = router("""
                server { listen 8080; server_name wild; }
                server { listen 127.0.0.1:8080; server_name local-a; }
                server { listen 127.0.0.1:8080; server_name local-b; }
                server { listen 9090; server_name other; }
                """);
        assertEquals("local-a", server(r, "nomatch", "127.0.0.1", 8080));
        assertEquals("local-b", server(r, "local-b", "127.0.0.1", 8080));
        // the address-specific group does not contain "wild"
        assertEquals("local-a", server(r, "wild", "127.0.0.1", 8080));
        assertEquals("wild", server(r, "local-b", "10.0.0.5", 8080));
        assertEquals("other", server(r, "x", "10.0.0.5", 9090));
    }

    @Test
    void duplicate_default_server_is_an_error() {
        assertEquals("r.conf:2: listen: a duplicate default server for 0.0.0.0:80",
                assertThrows(ConfException.class, () -> router(
                        "server { listen 80 default_server; }\nserver { listen 80 default_server; }")).getMessage());
    }
}
