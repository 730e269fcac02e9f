package dev.pushrelay.server;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §8.5: the one idle keep-alive timeout Undertow gets. */
class KeepAliveTest {

    static int millis(String conf) throws ConfException {
        return PushServer.idleKeepAliveMillis(ConfLoader.parse(conf, Path.of("conf/test.conf")));
    }

    @Test
    void largest_location_value_or_nginx_default() throws ConfException {
        assertEquals(75_000, millis("location /a { return 200; }"));
        assertEquals(65_000, millis("http { keepalive_timeout 65; server { location /a { return 200; } } }"));
        assertEquals(120_000, millis("keepalive_timeout 10;\nlocation /a { keepalive_timeout 2m; }\nlocation /b { }"));
        assertEquals(75_000, millis("keepalive_timeout 0;\nlocation /a { }"), "0 everywhere: every response closes anyway");
    }
}
