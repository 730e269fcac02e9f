package dev.pushrelay.it.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushrelay.testing.ExternalPrograms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.2, §14.6 with a real browser: Chromium's own EventSource and WebSocket
 * (test-clients/browser/streams-test.mjs) against a pushrelay serving conf/demo.conf.
 */
@Tag(ExternalPrograms.CHROMIUM)
@ExtendWith(ExternalPrograms.class)
class BrowserStreamsIT {

    private static final Path RESULT = ClientProcess.OUT.resolve("browser-streams.json");

    @Test
    void chromium_eventsource_and_websocket_get_every_message_once_in_order_and_resume() throws IOException {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Files.deleteIfExists(RESULT);
        try (Relay relay = Relay.startFile(ClientProcess.ROOT.resolve("conf/demo.conf"));
             ClientProcess run = ClientProcess.start("browser-streams", Map.of("CHROMIUM", chromium),
                     List.of(node, "test-clients/browser/streams-test.mjs", relay.baseUrl(), RESULT.toString()))) {
            run.expectExit(0, Duration.ofMinutes(2));
        }
        JsonNode r = new ObjectMapper().readTree(RESULT.toFile());
        JsonNode es = r.get("first").get("es");
        assertTrue(r.get("first").get("open").asBoolean());
        assertEquals(3, es.size(), es.toString());
        assertEquals("message|one", es.get(0).get("type").asText() + "|" + es.get(0).get("data").asText());
        assertEquals("message|two\nlines", es.get(1).get("type").asText() + "|" + es.get(1).get("data").asText());
        assertEquals("greeting|hello", es.get(2).get("type").asText() + "|" + es.get(2).get("data").asText());
        for (JsonNode e : es) assertTrue(e.get("id").asText().matches("\\d+:\\d+"), es.toString());
        assertEquals("[\"one\",\"two\\nlines\",\"hello\"]", r.get("first").get("ws").toString());
        assertEquals("[\"hello\",\"four\",\"five\"]", r.get("resumed").toString());
    }

    /** protocol.md §14.8: Chromium keeps a compound id and resumes with it by itself. */
    @Test
    void chromium_eventsource_follows_two_channels_and_reconnects_with_the_compound_id() throws IOException {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Path result = ClientProcess.OUT.resolve("browser-multiplex.json");
        Files.deleteIfExists(result);
        String conf = """
                location / { return 200 "multiplex\\n"; }
                location /pub { nchan_publisher; nchan_channel_id $arg_id; }
                location /mux { nchan_subscriber; nchan_channel_id a b; }
                """;
        try (Relay relay = Relay.start(conf);
             ClientProcess run = ClientProcess.start("browser-multiplex", Map.of("CHROMIUM", chromium),
                     List.of(node, "test-clients/browser/multiplex-test.mjs", relay.baseUrl(), result.toString()))) {
            run.expectExit(0, Duration.ofMinutes(2));
        }
        JsonNode r = new ObjectMapper().readTree(result.toFile());
        JsonNode events = r.get("events");
        assertEquals(3, events.size(), events.toString());
        assertEquals("a1 b1 a2", events.get(0).get("data").asText() + " " + events.get(1).get("data").asText() + " "
                + events.get(2).get("data").asText(), "each once, in order, none again after the reconnect");
        assertTrue(events.get(0).get("id").asText().matches("\\d+:\\[0\\],-"), events.toString());
        assertTrue(events.get(1).get("id").asText().matches("\\d+:(0|-),\\[0\\]"), events.toString());
        assertTrue(events.get(2).get("id").asText().matches("\\d+:\\[[01]\\],(0|-)"), events.toString());
        assertEquals("[\"channel deleted\"]", r.get("closes").toString());
        assertEquals(2, r.get("opens").asInt(), "the browser reconnected by itself");
    }
}
