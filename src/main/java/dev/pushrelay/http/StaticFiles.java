package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.xnio.IoUtils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code root} / {@code alias} / {@code index} for locations without a push endpoint
 * (protocol.md §8.6): nginx's static and index modules with autoindex off.
 *
 * <p>The request path (already percent-decoded by Undertow, so {@code %2e%2e} is "..") is
 * normalised segment by segment; a ".." above the top is a 400, as nginx answers. The file
 * is then resolved under the root (or the alias, replacing the location's prefix) and must
 * still lie inside it, so nothing outside root/alias can be served whatever the request.
 *
 * <p>File-system calls block, so the request is dispatched to Undertow's small worker pool
 * (never an IO thread); the body then goes out with {@link Sender#transferFrom}, which
 * writes in chunks without holding the worker. Relative roots and aliases are resolved
 * against the directory of the main configuration file.
 */
final class StaticFiles {

    static final HttpString ETAG = new HttpString("ETag");

    /** Files up to this size are gzipped in memory; larger ones are sent as they are. */
    static final long MAX_GZIP_BYTES = 4L * 1024 * 1024;

    private StaticFiles() {
    }

    static void handle(HttpServerExchange exchange, LocationSettings location, Path confDir) {
        handle(exchange, location, confDir, ErrorAnswer.PLAIN);
    }

    /** @param fail answers 400/403/404/405/500: nginx's page, or the location's error_page (protocol.md §8.11) */
    static void handle(HttpServerExchange exchange, LocationSettings location, Path confDir, ErrorAnswer fail) {
        var method = exchange.getRequestMethod();
        // ngx_http_static_handler: a POST is refused only once its file is found (a 404 stays a 404)
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD) && !method.equals(Methods.POST)) {
            fail.send(exchange, 405);
            return;
        }
        String uri = exchange.getRequestPath();
        List<String> segments = normalise(uri);
        if (segments == null) {
            fail.send(exchange, 400);
            return;
        }
        boolean wantsDirectory = uri.endsWith("/") || uri.endsWith("/.") || uri.endsWith("/..");
        String clean = "/" + String.join("/", segments) + (wantsDirectory && !segments.isEmpty() ? "/" : "");
        Path base;
        Path target;
        try {
            if (location.alias() != null) {
                base = confDir.resolve(location.alias()).normalize();
                String prefix = prefix(location.name());
                if (prefix == null) {
                    target = base; // regex location: the alias names the file (captures are not evaluated)
                } else if (clean.startsWith(prefix) || (clean + "/").equals(prefix)) {
                    target = Path.of(base + "/" + clean.substring(Math.min(prefix.length(), clean.length()))).normalize();
                } else {
                    fail.send(exchange, 404);
                    return;
                }
            } else {
                base = confDir.resolve(location.root() == null ? "html" : location.root()).normalize();
                target = base.resolve(clean.substring(1)).normalize();
            }
        } catch (InvalidPathException e) {
            fail.send(exchange, 404);
            return;
        }
        if (!target.startsWith(base)) {
            fail.send(exchange, 404);
            return;
        }
        Path file = target;
        Path root = base;
        exchange.dispatch(() -> serve(exchange, location, root, file, wantsDirectory, fail));
    }

    /** On a worker thread: directory handling, conditional requests, then the body. */
    private static void serve(HttpServerExchange exchange, LocationSettings location, Path base, Path target,
                              boolean wantsDirectory, ErrorAnswer fail) {
        try {
            if (Files.isDirectory(target)) {
                if (!wantsDirectory) {
                    String q = exchange.getQueryString();
                    String to = exchange.getRequestURI() + "/" + (q == null || q.isEmpty() ? "" : "?" + q);
                    exchange.getResponseHeaders().put(Headers.LOCATION, ReturnResponse.absolute(exchange, to, location.redirects()));
                    Responses.errorPage(exchange, 301);
                    return;
                }
                for (String index : location.index()) {
                    Path f = target.resolve(index).normalize();
                    if (f.startsWith(base) && Files.isRegularFile(f)) {
                        file(exchange, location, f, fail);
                        return;
                    }
                }
                fail.send(exchange, 403); // autoindex off
                return;
            }
            if (wantsDirectory || !Files.isRegularFile(target)) {
                fail.send(exchange, 404);
                return;
            }
            file(exchange, location, target, fail);
        } catch (AccessDeniedException e) {
            fail.send(exchange, 403);
        } catch (NoSuchFileException e) {
            fail.send(exchange, 404);
        } catch (IOException e) {
            fail.send(exchange, 500);
        }
    }

    private static void file(HttpServerExchange exchange, LocationSettings location, Path f, ErrorAnswer fail)
            throws IOException {
        if (exchange.getRequestMethod().equals(Methods.POST)) {
            fail.send(exchange, 405);
            return;
        }
        if (WireChecks.bodyRefused(exchange)) return; // nginx discards the body before the file (§9)
        BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class);
        long mtime = attrs.lastModifiedTime().toMillis() / 1000;
        String etag = "\"" + Long.toHexString(mtime) + "-" + Long.toHexString(attrs.size()) + "\"";
        String lastModified = HttpDates.format(mtime);
        HeaderMap h = exchange.getResponseHeaders();
        if (notModified(exchange.getRequestHeaders(), mtime, etag)) {
            h.put(Headers.LAST_MODIFIED, lastModified);
            h.put(ETAG, etag);
            Responses.headerOnly(exchange, 304, null);
            return;
        }
        String type = MimeTypes.of(f.getFileName().toString(), location.types(), location.defaultType());
        boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
        boolean gzip = Gzip.decide(exchange, location, type, attrs.size()) && !head && attrs.size() <= MAX_GZIP_BYTES;
        exchange.setStatusCode(200);
        h.put(Headers.CONTENT_TYPE, type);
        h.put(Headers.LAST_MODIFIED, lastModified);
        if (gzip) {
            byte[] g = Gzip.compress(Files.readAllBytes(f));
            h.put(ETAG, "W/" + etag); // nginx's gzip filter weakens a strong ETag
            h.put(Headers.CONTENT_ENCODING, "gzip");
            h.put(Headers.CONTENT_LENGTH, g.length);
            exchange.getResponseSender().send(ByteBuffer.wrap(g));
            return;
        }
        h.put(ETAG, etag);
        if (head) {
            h.put(Headers.CONTENT_LENGTH, attrs.size());
            WireChecks.endExchange(exchange);
            return;
        }
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
        long size = ch.size();
        h.put(Headers.CONTENT_LENGTH, size);
        if (size == 0) {
            IoUtils.safeClose(ch);
            WireChecks.endExchange(exchange);
            return;
        }
        exchange.getResponseSender().transferFrom(ch, new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange ex, Sender sender) {
                IoUtils.safeClose(ch);
                IoCallback.END_EXCHANGE.onComplete(ex, sender);
            }

            @Override
            public void onException(HttpServerExchange ex, Sender sender, IOException e) {
                IoUtils.safeClose(ch);
                IoCallback.END_EXCHANGE.onException(ex, sender, e);
            }
        });
    }

    /**
     * nginx's not-modified filter: with If-Modified-Since and/or If-None-Match, 304 only if
     * every one given says unchanged; If-Modified-Since must equal the file time exactly
     * (if_modified_since exact, nginx's default).
     */
    static boolean notModified(HeaderMap request, long mtime, String etag) {
        String ims = request.getFirst(Headers.IF_MODIFIED_SINCE);
        String inm = request.getFirst(Headers.IF_NONE_MATCH);
        if (ims == null && inm == null) return false;
        if (ims != null && HttpDates.parse(ims) != mtime) return false;
        if (inm != null) {
            boolean match = false;
            for (String t : inm.split(",")) {
                String s = t.strip();
                if (s.equals("*") || s.equals(etag) || s.equals("W/" + etag)) match = true;
            }
            return match;
        }
        return true;
    }

    /** The request path's segments with "." and ".." resolved; null when ".." climbs above the top. */
    static List<String> normalise(String uri) {
        List<String> out = new ArrayList<>();
        for (String s : uri.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (out.isEmpty()) return null;
                out.remove(out.size() - 1);
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The prefix a location matched, from its name ({@code "location ^~ /static/ (file:line)"}),
     * which alias replaces; null for regex locations and server-level settings.
     */
    static String prefix(String locationName) {
        if (!locationName.startsWith("location ")) return null;
        int where = locationName.lastIndexOf(" (");
        String s = locationName.substring("location ".length(), where < 0 ? locationName.length() : where);
        if (s.startsWith("~") || s.startsWith("@")) return null;
        if (s.startsWith("^~")) return s.substring(2).strip();
        if (s.startsWith("=")) return s.substring(1).strip();
        return s;
    }
}
