package dev.pushrelay.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw EventSource client (protocol.md §14.2): sends one request, reads the response head,
 * then decodes the chunked body block by block (a block ends at a blank line), so a test
 * sees the stream's exact bytes. Every read waits at most {@link RawHttp#READ_TIMEOUT_MS}.
 */
public final class EventStream implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final RawResponse head;
    private final boolean chunked;
    private final StringBuilder body = new StringBuilder();
    private boolean ended;

    private EventStream(int port, String request) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String statusLine = line();
        if (statusLine == null) throw new IOException("connection closed before a response");
        java.util.List<java.util.Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(java.util.Map.entry(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        RawResponse h = new RawResponse(statusLine, headers, new byte[0]);
        chunked = "chunked".equalsIgnoreCase(h.header("Transfer-Encoding"));
        if (h.status() != 200 && h.header("Content-Length") != null) {
            int n = Integer.parseInt(h.header("Content-Length"));
            h = new RawResponse(statusLine, headers, in.readNBytes(n));
            ended = true;
        }
        head = h;
    }

    /** Opens a stream: {@code request} is a whole request, e.g. from {@link RawHttp#get}. */
    public static EventStream open(int port, String request) throws IOException {
        return new EventStream(port, request);
    }

    /** The status line and headers (and the whole body when the answer was not a stream). */
    public RawResponse head() {
        return head;
    }

    /**
     * The next block, up to and including its blank line (e.g. {@code "id: 1:0\ndata: x\n\n"}),
     * or null when the server ended the stream first.
     */
    public String next() throws IOException {
        while (true) {
            int end = body.indexOf("\n\n");
            if (end >= 0) {
                String block = body.substring(0, end + 2);
                body.delete(0, end + 2);
                return block;
            }
            if (ended || !readMore()) return null;
        }
    }

    /** The next block that is not a comment (a ping). */
    public String nextEvent() throws IOException {
        for (String b = next(); b != null; b = next()) {
            if (!b.startsWith(":")) return b;
        }
        return null;
    }

    /** True when the server ends the response (last chunk) or closes within {@code timeoutMs}. */
    public boolean endedByServer(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            while (!ended) {
                if (!readMore()) return true;
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
        }
    }

    /** Reads one chunk (or whatever arrives of an unchunked body); false at the end. */
    private boolean readMore() throws IOException {
        if (!chunked) {
            byte[] b = new byte[8192];
            int n = in.read(b);
            if (n < 0) {
                ended = true;
                return false;
            }
            body.append(new String(b, 0, n, StandardCharsets.UTF_8));
            return true;
        }
        String sizeLine = line();
        if (sizeLine == null) {
            ended = true;
            return false;
        }
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
            ended = true;
            return false;
        }
        body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
        line();
        return true;
    }

    private String line() throws IOException {
        return RawHttp.line(in);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
