package dev.pushrelay.loadgen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Just enough of the push-module protocol for the load generator's tests: POST/GET channel
 * info on /publish, long-poll GET on /activity with an Etag = queue position cursor. It can
 * be told to misbehave on the Nth publish of every channel: drop it, store it twice, or
 * deliver it after the following one. Two of them can share their channels (two nodes on one
 * store, as pushrelay or nchan on Redis); each counts the requests it was sent.
 */
final class FakePushServer implements AutoCloseable {
    enum Fault { NONE, DROP, DUPLICATE, REORDER, PUBLISH_500 }

    private static final String LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    /** The channels, and the lock of every change to them: shared by the nodes of one store. */
    private final Map<String, Chan> channels;
    private final Fault fault;
    private final int faultAt;
    /** Requests this node was sent: publishes (POST), channel info (GET /publish), subscribes. */
    final AtomicInteger publishes = new AtomicInteger();
    final AtomicInteger infos = new AtomicInteger();
    final AtomicInteger subscribes = new AtomicInteger();

    private static final class Chan {
        final List<byte[]> queue = new ArrayList<>();
        final List<HttpExchange> waiting = new ArrayList<>();
        int published;
        byte[] stashed;
    }

    FakePushServer(Fault fault, int faultAt) throws IOException {
        this(fault, faultAt, new HashMap<>());
    }

    /** A second node on this one's channels. */
    FakePushServer sameStore() throws IOException {
        return new FakePushServer(fault, faultAt, channels);
    }

    private FakePushServer(Fault fault, int faultAt, Map<String, Chan> channels) throws IOException {
        this.fault = fault;
        this.faultAt = faultAt;
        this.channels = channels;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/publish", this::publisher);
        server.createContext("/activity", this::subscriber);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static String id(HttpExchange x) {
        String q = x.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith("id=")) {
                    return kv.substring(3);
                }
            }
        }
        return null;
    }

    private static void send(HttpExchange x, int status, byte[] body, String etag) throws IOException {
        if (etag != null) {
            x.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
            x.getResponseHeaders().add("Etag", etag);
        }
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = x.getResponseBody()) {
            os.write(body);
        }
    }

    private static byte[] info(Chan c) {
        return ("{\"messages\": " + c.queue.size() + ", \"requested\": 0, \"subscribers\": " + c.waiting.size() + " }")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private void publisher(HttpExchange x) throws IOException {
        String id = id(x);
        byte[] body = x.getRequestBody().readAllBytes();
        (x.getRequestMethod().equals("GET") ? infos : publishes).incrementAndGet();
        List<Object[]> wake;
        byte[] infoBody;
        int status;
        synchronized (channels) {
            if (x.getRequestMethod().equals("GET")) {
                Chan c = channels.get(id);
                infoBody = c == null ? new byte[0] : info(c);
                status = c == null ? 404 : 200;
                wake = List.of();
            } else {
                Chan c = channels.computeIfAbsent(id, k -> new Chan());
                c.published++;
                status = c.waiting.isEmpty() ? 202 : 201;
                List<byte[]> deliver = new ArrayList<>();
                boolean hit = c.published == faultAt;
                if (hit && fault == Fault.PUBLISH_500) {
                    status = 500;
                } else if (hit && fault == Fault.DROP) {
                    // acknowledged, never stored nor delivered
                } else if (hit && fault == Fault.REORDER) {
                    c.stashed = body;
                } else {
                    deliver.add(body);
                    if (hit && fault == Fault.DUPLICATE) {
                        deliver.add(body);
                    }
                    if (c.stashed != null) {
                        deliver.add(c.stashed);
                        c.stashed = null;
                    }
                }
                wake = new ArrayList<>();
                if (!deliver.isEmpty()) {
                    int first = c.queue.size() + 1;
                    c.queue.addAll(deliver);
                    for (HttpExchange w : c.waiting) {
                        wake.add(new Object[] {w, deliver.get(0), String.valueOf(first)});
                    }
                    c.waiting.clear();
                }
                infoBody = info(c);
            }
        }
        for (Object[] w : wake) {
            send((HttpExchange) w[0], 200, (byte[]) w[1], (String) w[2]);
        }
        send(x, status, infoBody, null);
    }

    private void subscriber(HttpExchange x) throws IOException {
        String id = id(x);
        subscribes.incrementAndGet();
        String inm = x.getRequestHeaders().getFirst("If-None-Match");
        int cursor = 0;
        if (inm != null && x.getRequestHeaders().getFirst("If-Modified-Since") != null) {
            cursor = Integer.parseInt(inm.trim());
        }
        byte[] found = null;
        synchronized (channels) {
            Chan c = channels.computeIfAbsent(id, k -> new Chan());
            if (c.queue.size() > cursor) {
                found = c.queue.get(cursor);
            } else {
                c.waiting.add(x);
            }
        }
        if (found != null) {
            send(x, 200, found, String.valueOf(cursor + 1));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
