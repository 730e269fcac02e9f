package dev.pushrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A socket for misbehaving on purpose: send any bytes, stop half-way, half-close, reset,
 * and read whatever the server wrote until it closed. Loopback only.
 */
public final class RawSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    public RawSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
        in = socket.getInputStream();
    }

    public RawSocket send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawSocket send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Sends {@code request} on a new connection and reads until the server closes it (10 s
     * at most); a server that closes before reading everything still has its answer counted.
     */
    public static Result sendAndRead(int port, byte[] request) throws IOException {
        try (RawSocket s = new RawSocket(port)) {
            try {
                s.send(request);
            } catch (IOException e) {
                // closed before it read everything: what it answered still counts
            }
            return s.readToClose(10_000);
        }
    }

    /** FIN on our side only; we can still read. */
    public void halfClose() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with a TCP reset instead of a FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /**
     * Everything the server writes until it closes the connection, or until {@code timeoutMs}
     * pass without a byte ({@link Result#closed} false then). A reset after data counts as closed.
     */
    public Result readToClose(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        boolean closed;
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            closed = true; // reset by the server
        }
        return new Result(out.toString(StandardCharsets.ISO_8859_1), closed);
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** What came back: the raw text, and whether the server closed. */
    public record Result(String text, boolean closed) {
        /** The status code of the first response, or 0 if nothing came. */
        public int status() {
            if (!text.startsWith("HTTP/1.")) return 0;
            return Integer.parseInt(text.substring(9, 12));
        }

        /** Number of responses in the text (status lines). */
        public int responses() {
            int count = 0;
            for (int i = text.indexOf("HTTP/1.1 "); i >= 0; i = text.indexOf("HTTP/1.1 ", i + 1)) count++;
            return count;
        }
    }
}
