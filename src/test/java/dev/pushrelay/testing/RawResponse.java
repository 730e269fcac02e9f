package dev.pushrelay.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A response as it came off the wire: status line, headers in order, body bytes. */
public record RawResponse(String statusLine, List<Map.Entry<String, String>> headers, byte[] body) {

    public int status() {
        return Integer.parseInt(statusLine.split(" ", 3)[1]);
    }

    /** The reason phrase of the status line. */
    public String reason() {
        String[] p = statusLine.split(" ", 3);
        return p.length > 2 ? p[2] : "";
    }

    /** The first value of a header (name case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) return h.getValue();
        }
        return null;
    }

    /** The exact spelling of a header name as sent, or null. */
    public String headerName(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) return h.getKey();
        }
        return null;
    }

    public List<String> headerNames() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) out.add(h.getKey());
        return out;
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return statusLine + " " + headers + " " + text();
    }
}
