package dev.pushrelay.testing;

import dev.pushrelay.channel.Message;

import java.nio.charset.StandardCharsets;

/** Message bodies as text, for store and channel tests that compare what was stored. */
public final class Messages {

    private Messages() {
    }

    /** The body of {@code m} as UTF-8. */
    public static String text(Message m) {
        return StandardCharsets.UTF_8.decode(m.body()).toString();
    }
}
