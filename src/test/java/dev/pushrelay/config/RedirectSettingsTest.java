package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static dev.pushrelay.config.NginxDirectivesTest.loc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §8.2: the Location nginx 1.22 sends for a redirect to a path, and the directives that shape it. */
class RedirectSettingsTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 8080);

    @Test
    void s8_2_a_path_gets_hosts_name_and_the_local_port_unless_it_is_80() {
        RedirectSettings r = RedirectSettings.DEFAULT;
        assertEquals("http://a.example:8080/x", r.location("/x", "A.Example.:9", V4));
        assertEquals("http://a.example/x", r.location("/x", "a.example", new InetSocketAddress("127.0.0.1", 80)));
        assertEquals("http://[::1]:8080/x", r.location("/x", "[::1]:5", V4));
        assertEquals("https://b/x", r.location("https://b/x", "a", V4), "a URL stays as it is");
    }

    @Test
    void s8_2_without_host_the_local_address_as_nginx_prints_it() {
        assertEquals("http://127.0.0.1:8080/x", RedirectSettings.DEFAULT.location("/x", null, V4));
        assertEquals("http://::1:8080/x", RedirectSettings.DEFAULT.location("/x", null, new InetSocketAddress("::1", 8080)),
                "nginx 1.22 writes an IPv6 local address without brackets");
        assertEquals("http://2001:db8::1:0:0:5:8080/x", RedirectSettings.DEFAULT.location("/x", null,
                new InetSocketAddress("2001:db8:0:0:1:0:0:5", 8080)), "the first of two equal zero runs is compressed");
    }

    @Test
    void s8_2_directives_inherit_and_server_name_is_the_first_one() throws ConfException {
        Settings s = parse("""
                server_name first.test second.test;
                port_in_redirect off;
                location /a { server_name_in_redirect on; }
                location /b { absolute_redirect off; rewrite_log on; }
                """);
        RedirectSettings a = loc(s, 0).redirects();
        assertEquals("http://first.test/x", a.location("/x", "other", V4));
        RedirectSettings b = loc(s, 1).redirects();
        assertEquals("/x", b.location("/x", "other", V4));
        assertTrue(loc(s, 1).rewriteLog());
        assertFalse(loc(s, 0).rewriteLog());
    }

    @Test
    void s8_2_flags_are_checked_as_nginxs() throws ConfException {
        assertEquals("conf/test.conf:1: port_in_redirect: invalid value \"yes\" in \"port_in_redirect\" directive, it must be \"on\" or \"off\"",
                error("port_in_redirect yes;"));
        assertEquals("conf/test.conf:1: rewrite_log: \"rewrite_log\" directive is duplicate", error("rewrite_log on; rewrite_log off;"));
        // inside if it is accepted and listed, as other directives without effect there
        assertTrue(parse("location / { if ($arg_a) { rewrite_log on; } }").ignored().stream()
                .anyMatch(i -> i.endsWith(": rewrite_log")));
    }
}
