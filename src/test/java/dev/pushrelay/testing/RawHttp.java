package dev.pushrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a plain socket, so tests see exactly the
 * status line, header names and bytes the server wrote. One connection per instance,
 * reusable for keep-alive; responses are read by Content-Length (or to EOF).
 */
public final class RawHttp implements AutoCloseable {

    /** How long a read may wait before the test fails instead of hanging. */
    public static final int READ_TIMEOUT_MS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Opens a connection, sends one request, reads its response (its head alone for a HEAD), closes. */
    public static RawResponse exchange(int port, String request) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            c.send(request);
            return request.startsWith("HEAD ") ? c.readHead() : c.read();
        }
    }

    /** Builds a request: method, target, extra header lines ("Name: value"), optional body. */
    public static String request(String method, String target, byte[] body, String... headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) b.append(h).append("\r\n");
        if (body != null) b.append("Content-Length: ").append(body.length).append("\r\n");
        b.append("\r\n");
        String head = b.toString();
        return body == null ? head : head + new String(body, StandardCharsets.ISO_8859_1);
    }

    public static String get(String target, String... headers) {
        return request("GET", target, null, headers);
    }

    /**
     * The request a client sends after {@code previous}: its cursor carried forward as
     * If-Modified-Since and If-None-Match (protocol.md §4.2), then {@code headers}.
     */
    public static String next(String target, RawResponse previous, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "If-Modified-Since: " + previous.header("Last-Modified");
        all[1] = "If-None-Match: " + previous.header("Etag");
        System.arraycopy(headers, 0, all, 2, headers.length);
        return get(target, all);
    }

    public static String post(String target, String body, String... headers) {
        return request("POST", target, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    public void send(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response; HEAD-like or 1xx/204/304 responses have no body. */
    public RawResponse read() throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new IOException("connection closed before a response");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(new AbstractMap.SimpleImmutableEntry<>(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        RawResponse head = new RawResponse(statusLine, headers, new byte[0]);
        int status = head.status();
        String length = head.header("Content-Length");
        byte[] body;
        if (status == 304 || status == 204) {
            body = new byte[0];
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
            body = chunked();
        } else {
            body = in.readAllBytes();
        }
        return new RawResponse(statusLine, headers, body);
    }

    /** Reads the status line and headers of a response that has no body (an answer to HEAD). */
    public RawResponse readHead() throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new IOException("connection closed before a response");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(new AbstractMap.SimpleImmutableEntry<>(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        return new RawResponse(statusLine, headers, new byte[0]);
    }

    /** True if the server closed the connection (EOF) within the read timeout. */
    public boolean closedByServer(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) { /* trailers */ }
                return b.toByteArray();
            }
            b.write(in.readNBytes(size));
            line();
        }
    }

    private String line() throws IOException {
        return line(in);
    }

    /** One line of {@code in} without its CR LF (or bare LF); null at the end of the stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c < 0 && b.size() == 0) return null;
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
