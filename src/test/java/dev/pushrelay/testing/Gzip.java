package dev.pushrelay.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/** What a client that accepts gzip sends, and what it does with the body (protocol.md §8.4). */
public final class Gzip {

    /** The request header of a browser that takes gzip. */
    public static final String ACCEPT = "Accept-Encoding: gzip, deflate";

    private Gzip() {
    }

    /** The gzip body uncompressed, as UTF-8 text; fails on anything that is not gzip. */
    public static String gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
