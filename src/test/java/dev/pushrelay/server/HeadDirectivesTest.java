package dev.pushrelay.server;

import dev.pushrelay.config.ConfiguredClientLimits;
import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §8.8: the request-head limits every connection gets come from the first server. */
class HeadDirectivesTest {

    static ConfiguredClientLimits head(String conf) throws ConfException {
        return PushServer.headDirectives(ConfLoader.parse(conf, Path.of("conf/test.conf")));
    }

    @Test
    void head_limits_of_the_first_server_but_never_its_body_timeout() throws ConfException {
        ConfiguredClientLimits d = head("""
                http {
                    client_header_timeout 5s;
                    server { listen 127.0.0.1:8080; large_client_header_buffers 2 1k; client_body_timeout 1s; }
                    server { listen 127.0.0.1:8080; server_name other; large_client_header_buffers 8 16k;
                             location /pub { set $push_channel_id $arg_id; push_publisher; } }
                }
                """);
        assertEquals(new ConfiguredClientLimits(5_000L, null, 2, 1024L), d,
                "client_body_timeout stays per location: the second server's /pub keeps the default");
        assertEquals(ConfiguredClientLimits.UNSET, head("location /a { return 200; }"));
    }
}
