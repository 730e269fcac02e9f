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
}
