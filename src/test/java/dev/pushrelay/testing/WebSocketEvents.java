package dev.pushrelay.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a JDK WebSocket client saw, in order: "text:...", "binary:<hex>" (each whole
 * message, its fragments joined), "close:<code> <reason>". Subclass to watch pings.
 */
public class WebSocketEvents implements WebSocket.Listener {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream bin = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            events.add("text:" + text);
            text.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        bin.writeBytes(b);
        if (last) {
            StringBuilder hex = new StringBuilder();
            for (byte x : bin.toByteArray()) hex.append(String.format("%02x", x));
            events.add("binary:" + hex);
            bin.reset();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        events.add("close:" + status + " " + reason);
        return null;
    }

    /** The next event, waiting up to 15 s for it. */
    public String next() throws InterruptedException {
        String e = events.poll(15, TimeUnit.SECONDS);
        if (e == null) throw new AssertionError("nothing within 15 s");
        return e;
    }
}
