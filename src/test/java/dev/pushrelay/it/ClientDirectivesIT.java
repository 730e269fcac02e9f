package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nginx's client_header_timeout, client_body_timeout and large_client_header_buffers, set in
 * the configuration (protocol.md §9). The server's own defaults are nginx's (60 s, 60 s,
 * 4 x 8k), so each answer below within the 10 s read limit is the directive's doing.
 */
class ClientDirectivesIT {

    static final String CONF = """
            client_header_timeout 1s;
            large_client_header_buffers 2 1k;
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                client_body_timeout 1s;
            }
            """;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(CONF);

    @Test
    void s8_8_a_stalled_body_is_closed_after_the_locations_client_body_timeout() throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("POST /pub?id=stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_body_timeout 1s");
            assertEquals("", r.text(), "nginx answers nothing on a body timeout");
        }
        assertEquals(404, server.send(RawHttp.get("/pub?id=stalled")).status(), "nothing was published");
    }

    @Test
    void s8_8_a_stalled_request_head_is_closed_after_client_header_timeout() throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("GET /pub?id=slow HTTP/1.1\r\nHost: x\r\n");
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_header_timeout 1s");
            assertEquals("", r.text(), "nginx answers nothing on a header timeout");
        }
    }

    @Test
    void s8_8_a_request_line_over_the_configured_buffer_gets_414() throws IOException {
        RawSocket.Result r = server.sendAndRead(RawHttp.get("/pub?id=" + "a".repeat(1100)));
        assertTrue(r.text().startsWith("HTTP/1.1 414 Request-URI Too Large\r\n"), r.text());
        assertTrue(r.closed());
        RawResponse ok = server.send(RawHttp.get("/pub?id=" + "a".repeat(900)));
        assertEquals(404, ok.status(), "a line under 1k is served");
    }

    @Test
    void s8_8_a_request_head_over_number_times_size_gets_a_bare_400() throws IOException {
        String[] headers = {"X-A: " + "f".repeat(900), "X-B: " + "f".repeat(900), "X-C: " + "f".repeat(900)};
        RawSocket.Result r = server.sendAndRead(RawHttp.get("/pub?id=big", headers));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed());
    }
}
