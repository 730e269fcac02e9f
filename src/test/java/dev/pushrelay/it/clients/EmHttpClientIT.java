package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The em-http client of seed article 002 (test-clients/ruby/comet-push-consume.rb), run by Ruby
 * against conf/pushrelay.conf with the article's 5-second period. It sends only
 * If-Modified-Since; with one message per period every message has tag 0 and the walk is exact
 * (protocol.md §4.2). Each of its two listeners must print every published message exactly once,
 * in order, as it did against the module.
 *
 * <p>The article's period is kept rather than a shorter one: 4 periods (a 23 s run) are enough to
 * see losses, duplicates and reordering, and a period under one second would break the client
 * itself (two messages in one second differ only by the tag it never sends).
 */
@Tag(ExternalPrograms.RUBY)
@ExtendWith(ExternalPrograms.class)
class EmHttpClientIT {

    private static final Pattern PUBLISHED = Pattern.compile("^Published message @ (.+)$");
    private static final Pattern RECEIVED = Pattern.compile("^\\[listener (\\d+)\\] Listener recieved: Hello @ (.+)$");
    private static final Pattern CODE = Pattern.compile("^Response code: (\\d+)$");

    @Test
    void each_listener_prints_every_message_once_in_order_with_the_articles_period() throws IOException {
        ExternalPrograms.ruby();
        try (Relay relay = Relay.startDefault();
             ClientProcess ruby = ClientProcess.start("em-http", "bash", "test-clients/run-em-http.sh",
                     "-u", relay.baseUrl(), "-p", "5", "-T", "23")) {
            ruby.expectExit(0, Duration.ofSeconds(60));

            List<String> published = new ArrayList<>();
            List<List<String>> listeners = List.of(new ArrayList<>(), new ArrayList<>());
            List<String> codes = new ArrayList<>();
            for (String line : ruby.lines()) {
                Matcher p = PUBLISHED.matcher(line);
                Matcher r = RECEIVED.matcher(line);
                Matcher c = CODE.matcher(line);
                if (p.matches()) {
                    published.add(p.group(1));
                } else if (r.matches()) {
                    int n = Integer.parseInt(r.group(1));
                    assertTrue(n == 1 || n == 2, "only the article's two listeners: " + line);
                    listeners.get(n - 1).add(r.group(2));
                } else if (c.matches()) {
                    codes.add(c.group(1));
                } else {
                    assertTrue(!line.contains("Listener"), "unexpected: " + line + "\n" + ruby.describe());
                }
            }
            // The article's config keeps its push_min_message_recipients 0; (protocol.md §5.5):
            // the channel holds only the newest message, so the listeners must have had each
            // one while they waited. The publisher's own report is the reference.
            assertEquals(4, published.size(), "publishes at 5, 10, 15 and 20 s: " + published + "\n" + ruby.describe());
            List<String> stored = relay.messages("pub").stream().map(m -> m.replaceFirst("^Hello @ ", "")).toList();
            assertEquals(List.of(published.get(3)), stored, "what the server kept: the newest message");
            assertTrue(codes.stream().allMatch(c -> c.equals("201") || c.equals("202")), codes.toString());
            assertEquals(published, listeners.get(0), "listener 1\n" + ruby.describe());
            assertEquals(published, listeners.get(1), "listener 2\n" + ruby.describe());
        }
    }
}
