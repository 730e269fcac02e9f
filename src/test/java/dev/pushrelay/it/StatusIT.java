package dev.pushrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pushrelay_status: totals as text or JSON (protocol.md §11). */
class StatusIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            location /status {
                pushrelay_status;
            }
            """;

    static String value(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + ": ")) return line.substring(name.length() + 2);
        }
        throw new AssertionError("no \"" + name + "\" in\n" + text);
    }

    @Test
    void text_totals() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "hello"));
            server.send(post("/pub?id=b", "world"));
            try (RawHttp waiting = server.open(get("/sub?id=c"))) {
                server.awaitSubscribers("/pub?id=c", 1);
                RawResponse r = server.send(get("/status"));
                assertEquals(200, r.status());
                assertEquals("text/plain", r.header("Content-Type"));
                String t = r.text();
                assertEquals("2", value(t, "total published messages"));
                assertEquals("2", value(t, "stored messages"));
                assertEquals("3", value(t, "channels"));
                assertEquals("1", value(t, "subscribers"));
                assertEquals("32768K", value(t, "shared memory limit"));
                assertTrue(value(t, "shared memory used").matches("\\d+K"), t);
                assertEquals("0", value(t, "total delivered messages"));
                assertEquals("0", value(t, "total subscriber endings disconnect"));
                assertTrue(t.startsWith("total published messages: 2\n"), t);
            }
        }
    }

    @Test
    void json_when_accept_asks_or_format_json() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "hello"));
            assertEquals(200, server.send(get("/sub?id=a")).status());
            // the delivery is counted when the exchange completes
            JsonNode j = awaitJson(server, "delivered_messages", 1);
            assertEquals(1, j.get("published_messages").asLong());
            assertEquals(1, j.get("stored_messages").asLong());
            assertEquals(1, j.get("channels").asLong());
            assertEquals(0, j.get("subscribers").asLong());
            assertEquals(33554432, j.get("reserved_memory_limit_bytes").asLong());
            assertTrue(j.get("reserved_memory_used_bytes").asLong() > 5);
            assertEquals(1, j.get("publish_outcomes").get("202").asLong());
            assertEquals(0, j.get("subscriber_endings").get("message").asLong());

            RawResponse byQuery = server.send(get("/status?format=json"));
            assertEquals("application/json", byQuery.header("Content-Type"));
            assertEquals(1, new ObjectMapper().readTree(byQuery.text()).get("published_messages").asLong());
        }
    }

    private static JsonNode awaitJson(TestServer server, String field, long value) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            RawResponse r = server.send(get("/status", "Accept: application/json"));
            assertEquals("application/json", r.header("Content-Type"));
            last = r.text();
            JsonNode j = new ObjectMapper().readTree(last);
            if (j.get(field).asLong() == value) return j;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError(field + " never " + value + ": " + last);
    }
}
