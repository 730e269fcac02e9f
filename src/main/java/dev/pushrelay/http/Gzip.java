package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * nginx's gzip filter for message responses and static files (protocol.md §8.4): with
 * {@code gzip on}, a 200 whose Content-Type is in {@code gzip_types} and whose length is at
 * least {@code gzip_min_length} is compressed when the request's Accept-Encoding names gzip
 * (not with q=0) and carries no Via header (gzip_proxied off, nginx's default). Unlike
 * nginx's filter this never touches Etag or Last-Modified: the push module kept its Etag out
 * of nginx's reach since 0.73 precisely so that gzip would not break the cursor.
 */
final class Gzip {

    /** The subscriber's location, attached by {@link PushHandler} when its gzip is on. */
    static final AttachmentKey<LocationSettings> LOCATION = AttachmentKey.create(LocationSettings.class);

    static final String ACCEPT_ENCODING = "Accept-Encoding";

    private Gzip() {
    }

    /** Remembers the location for the response that may come later (a parked long-poll). */
    static void attach(HttpServerExchange exchange, LocationSettings location) {
        if (location.gzip()) exchange.putAttachment(LOCATION, location);
    }

    /**
     * Whether this response of {@code contentType}/{@code length} is to be gzipped; adds
     * {@code Accept-Encoding} to Vary whenever gzip applies to the response, so a cache
     * keeps the two forms apart even for clients that did not ask for gzip.
     */
    static boolean decide(HttpServerExchange exchange, LocationSettings location, String contentType, long length) {
        if (location == null || !location.gzipApplies(contentType, length)) return false;
        addVary(exchange.getResponseHeaders(), ACCEPT_ENCODING);
        HeaderMap req = exchange.getRequestHeaders();
        return !req.contains(Headers.VIA) && accepts(req.getFirst(Headers.ACCEPT_ENCODING));
    }

    /** Appends {@code value} to the response's Vary, keeping what is there (the module's cursor names). */
    static void addVary(HeaderMap headers, String value) {
        String old = headers.getFirst(Responses.VARY);
        headers.put(Responses.VARY, old == null || old.isEmpty() ? value : old + ", " + value);
    }

    /** Accept-Encoding names gzip with a non-zero q (nginx's ngx_http_gzip_accept_encoding). */
    static boolean accepts(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.split(";");
            if (!p[0].strip().equalsIgnoreCase("gzip")) continue;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].strip();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        if (Double.parseDouble(param.substring(2).strip()) <= 0) return false;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** gzip at level 1, nginx's default gzip_comp_level: fast, and done once per message. */
    static byte[] compress(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 2));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
