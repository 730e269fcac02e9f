package dev.pushrelay.it.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.pushrelay.testing.RawHttp.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat room of seed article 003 in Debian's headless Chromium, driven by playwright-core
 * (test-clients/browser/chat-test.mjs), served by pushrelay itself from conf/demo.conf: two tabs
 * type interleaved lines and both show every line once, in the channel's order, one tab on
 * WebSocket and one on long-poll; a third browser, on EventSource, joins late, goes offline,
 * misses two lines and catches up on reconnecting. Then pushrelay.js's long-poll error paths:
 * 5xx backoff, 409, 404, 410. A screenshot of the chat is saved as
 * target/chat-screenshot.png.
 */
@Tag(ExternalPrograms.CHROMIUM)
@ExtendWith(ExternalPrograms.class)
class BrowserChatIT {

    private static final Path RESULT = ClientProcess.OUT.resolve("browser-result.json");
    private static final Path SCREENSHOT = ClientProcess.ROOT.resolve("target/chat-screenshot.png");

    @Test
    void two_tabs_chat_through_one_channel_and_every_line_shows_once_in_order() throws IOException {
        String chromium = ExternalPrograms.chromium().toString();
        String node = ExternalPrograms.node().toString();
        Files.deleteIfExists(RESULT);
        Files.deleteIfExists(SCREENSHOT);
        try (Relay relay = Relay.startFile(ClientProcess.ROOT.resolve("conf/demo.conf"))) {
            RawResponse js = relay.send(get("/pushrelay.js"));
            assertEquals(200, js.status(), "pushrelay serves the client library itself");
            assertTrue(js.text().contains("PushRelay"));

            try (ClientProcess run = ClientProcess.start("browser-chat", Map.of("CHROMIUM", chromium),
                    List.of(node, "test-clients/browser/chat-test.mjs", relay.baseUrl(), RESULT.toString(), SCREENSHOT.toString()))) {
                run.expectExit(0, Duration.ofMinutes(3));
            }
            JsonNode r = new ObjectMapper().readTree(RESULT.toFile());
            assertEquals("pushrelay chat", r.get("title").asText());

            // the channel's own order, walked with the cursor (protocol.md §4.2): the truth
            ObjectMapper json = new ObjectMapper();
            List<String> channel = new ArrayList<>();
            for (String body : relay.messages("lobby")) {
                JsonNode line = json.readTree(body);
                channel.add(line.get("from").asText() + ": " + line.get("text").asText());
            }
            List<String> typed = new ArrayList<>();
            IntStream.rangeClosed(1, 5).forEach(i -> {
                typed.add("alice: a" + i + " from alice");
                typed.add("bob: b" + i + " from bob");
            });
            assertEquals(13, channel.size(), channel.toString());
            assertTrue(channel.containsAll(typed), channel.toString());
            assertEquals(typed.stream().filter(l -> l.startsWith("alice")).toList(),
                    channel.stream().filter(l -> l.startsWith("alice")).toList(), "alice's lines in the order typed");
            assertEquals(typed.stream().filter(l -> l.startsWith("bob")).toList(),
                    channel.stream().filter(l -> l.startsWith("bob")).toList(), "bob's lines in the order typed");
            assertEquals(List.of("server: the end", "server: while carol was offline 1", "server: while carol was offline 2"),
                    channel.subList(10, 13));

            // every page shows exactly the channel: each line once, in order
            assertEquals(channel.subList(0, 11), shown(r, "alice"), "alice's tab");
            assertEquals(channel.subList(0, 11), shown(r, "bob"), "bob's tab");
            assertEquals("live", r.get("aliceStatus").asText());
            // three transports in one room (protocol.md §14.6, §4.3, §14.2)
            assertEquals("{\"alice\":\"websocket\",\"bob\":\"long-poll\",\"carol\":\"eventsource\"}",
                    r.get("transports").toString());
            assertTrue(r.get("carolOfflineStatus").asText().matches("offline.*|reconnecting.*"), r.toString());
            assertEquals(channel, shown(r, "carol"), "carol: the stored lines, then the two she missed offline");
            assertEquals(channel, shown(r, "aliceAfter"), "alice's tab at the end");
            assertEquals(channel, shown(r, "bobAfter"), "bob's tab at the end");

            // 503 four times: retried after 50, 100, 200, 200 ms (doubling, capped), then the message
            JsonNode flaky = r.get("flaky");
            assertEquals("[[503,50],[503,100],[503,200],[503,200]]", flaky.get("delays").toString());
            assertEquals("after the storm", flaky.get("message").asText());
            assertEquals(5, flaky.get("requests").asInt());
            assertEquals("0", flaky.get("cursor").get("etag").asText());
            assertTrue(flaky.get("cursor").get("token").asText().matches("\\d+:0"), flaky.toString());
            // 409 surfaced to the caller, no retry
            assertEquals("{\"status\":409,\"running\":false,\"requests\":1}", r.get("conflict").toString());
            // 404: reported as final, stopped
            assertEquals("{\"status\":404,\"delay\":-1,\"running\":false}", r.get("notFound").toString());
            // 410 from a real DELETE: stopped cleanly
            assertEquals(200, r.get("deleteStatus").asInt());
            assertEquals("{\"gone\":true,\"running\":false}", r.get("gone").toString());

            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertTrue(png.length > 1000, "a screenshot of the chat");
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        }
    }

    /** "from: text" of every line a page showed, in order. */
    private static List<String> shown(JsonNode result, String page) {
        List<String> lines = new ArrayList<>();
        result.get(page).forEach(l -> lines.add(l.get(0).asText() + ": " + l.get(1).asText()));
        return lines;
    }
}
