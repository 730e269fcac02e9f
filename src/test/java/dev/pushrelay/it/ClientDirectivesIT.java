package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

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

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(CONF);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aStalledBodyIsClosedAfterTheLocationsClientBodyTimeout() throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("POST /pub?id=stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_body_timeout 1s");
            assertEquals("", r.text(), "nginx answers nothing on a body timeout");
        }
        assertEquals(404, server.send(RawHttp.get("/pub?id=stalled")).status(), "nothing was published");
    }

    @Test
    void aStalledRequestHeadIsClosedAfterClientHeaderTimeout() throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("GET /pub?id=slow HTTP/1.1\r\nHost: x\r\n");
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_header_timeout 1s");
            assertEquals("", r.text(), "nginx answers nothing on a header timeout");
        }
    }

    @Test
    void aRequestLineOverTheConfiguredBufferGets414() throws IOException {
        RawSocket.Result r = sendAndRead(RawHttp.get("/pub?id=" + "a".repeat(1100)));
        assertTrue(r.text().startsWith("HTTP/1.1 414 Request-URI Too Large\r\n"), r.text());
        assertTrue(r.closed());
        RawResponse ok = server.send(RawHttp.get("/pub?id=" + "a".repeat(900)));
        assertEquals(404, ok.status(), "a line under 1k is served");
    }

    @Test
    void aRequestHeadOverNumberTimesSizeGetsABare400() throws IOException {
        String[] headers = {"X-A: " + "f".repeat(900), "X-B: " + "f".repeat(900), "X-C: " + "f".repeat(900)};
        RawSocket.Result r = sendAndRead(RawHttp.get("/pub?id=big", headers));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed());
    }

    private static RawSocket.Result sendAndRead(String request) throws IOException {
        return RawSocket.sendAndRead(server.port(), request.getBytes(StandardCharsets.US_ASCII));
    }
}
