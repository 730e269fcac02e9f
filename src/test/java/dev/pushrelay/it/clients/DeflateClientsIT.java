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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.10 with real clients: Chromium's WebSocket and the npm {@code ws} client
 * (test-clients/browser/deflate-test.mjs), through a relay that reads every frame header, against
 * a pushrelay serving conf/demo.conf.
 */
@Tag(ExternalPrograms.CHROMIUM)
@ExtendWith(ExternalPrograms.class)
class DeflateClientsIT {

    private static final Path RESULT = ClientProcess.OUT.resolve("deflate-clients.json");

    @Test
    void chromium_and_ws_get_every_message_once_in_order_compressed_and_ws_publishes_compressed() throws IOException {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Files.deleteIfExists(RESULT);
        try (Relay relay = Relay.startFile(ClientProcess.ROOT.resolve("conf/demo.conf"));
             ClientProcess run = ClientProcess.start("deflate-clients", Map.of("CHROMIUM", chromium),
                     List.of(node, "test-clients/browser/deflate-test.mjs", relay.baseUrl(), RESULT.toString()))) {
            run.expectExit(0, Duration.ofMinutes(2));
        }
        JsonNode r = new ObjectMapper().readTree(RESULT.toFile());
        JsonNode bodies = r.get("bodies");
        long bodyBytes = 0;
        for (JsonNode b : bodies) bodyBytes += b.asText().length();
        assertEquals(10, bodies.size());

        JsonNode chrome = r.get("chromium");
        assertEquals("permessage-deflate; server_no_context_takeover", chrome.get("extensions").asText(),
                "Chromium's offer (permessage-deflate; client_max_window_bits) agreed");
        assertEquals(bodies, chrome.get("messages"), "every message once, in order");
        assertAllCompressed(chrome.get("frames"), bodies.size());
        assertTrue(chrome.get("bytes").asLong() < bodyBytes / 4, chrome.get("bytes") + " bytes on the wire for " + bodyBytes);

        JsonNode ws = r.get("node");
        assertEquals("permessage-deflate", ws.get("extensions").asText(), "the extension ws agreed to");
        assertEquals(bodies, ws.get("messages"), "every message once, in order");
        assertAllCompressed(ws.get("frames"), bodies.size());
        assertTrue(ws.get("bytes").asLong() < bodyBytes / 4, ws.get("bytes") + " bytes on the wire for " + bodyBytes);

        JsonNode publishers = r.get("publishers");
        assertEquals(2, publishers.size());
        for (JsonNode p : publishers) {
            String which = "publisher, clientNoContextTakeover " + p.get("clientNoContextTakeover");
            assertEquals("permessage-deflate", p.get("extensions").asText(), which);
            assertAllCompressed(p.get("sent"), bodies.size());
            assertEquals(bodies, p.get("received"), which + ": every message published once, in order, inflated");
        }
        long withContext = publishers.get(0).get("sentBytes").asLong();
        long without = publishers.get(1).get("sentBytes").asLong();
        assertTrue(withContext < without, "the client's context takeover was really used: " + withContext + " < " + without);
    }

    private static void assertAllCompressed(JsonNode frames, int n) {
        int data = 0;
        for (JsonNode f : frames) {
            int op = f.get("opcode").asInt();
            if (op == 1 || op == 2) {
                data++;
                assertTrue(f.get("rsv1").asBoolean() && f.get("fin").asBoolean(), "RSV1 and FIN: " + f);
            } else {
                assertFalse(f.get("rsv1").asBoolean(), "never on a control frame: " + f);
            }
        }
        assertEquals(n, data, frames.toString());
    }
}
