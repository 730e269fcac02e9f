package dev.pushrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A WebSocket client written against the bytes (RFC 6455 §5), for what the JDK's client hides:
 * the response head, RSV1 (permessage-deflate), masked or unmasked frames of our choosing.
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame as it came off the wire. */
    public record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A close frame's code. */
        public int code() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        /** A close frame's reason. */
        public String reason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        /** A compressed payload inflated (RFC 7692 §7.2.2: the sync flush's tail put back). */
        public byte[] inflated() throws DataFormatException {
            Inflater inf = new Inflater(true);
            try {
                byte[] in = ByteBuffer.allocate(payload.length + 4).put(payload).put(new byte[] {0, 0, -1, -1}).array();
                inf.setInput(in);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] b = new byte[4096];
                while (!inf.needsInput()) {
                    int n = inf.inflate(b);
                    out.write(b, 0, n);
                    if (n == 0 && inf.needsInput()) break;
                }
                return out.toByteArray();
            } finally {
                inf.end();
            }
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The response head, up to and with its blank line. */
    public final String head;

    private RawWebSocket(Socket socket, String head) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.head = head;
    }

    /** Sends a version-13 handshake for {@code target} with {@code extraHeaders} and reads the head. */
    public static RawWebSocket open(int port, String target, int receiveBuffer, String... extraHeaders) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        s.setSoTimeout(15_000);
        StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        for (String h : extraHeaders) req.append(h).append("\r\n");
        s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(s.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.readUnsignedByte());
        RawWebSocket ws = new RawWebSocket(s, head.toString());
        return ws;
    }

    public static RawWebSocket open(int port, String target, String... extraHeaders) throws IOException {
        return open(port, target, 0, extraHeaders);
    }

    /** The head's {@code Sec-WebSocket-Extensions} value, or null. */
    public String extensions() {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-extensions")) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The next frame (15 s at most). */
    public Frame next() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) throw new AssertionError("a server frame is never masked");
        long len = b1 & 0x7F;
        if (len == 126) len = in.readUnsignedShort();
        else if (len == 127) len = in.readLong();
        byte[] p = new byte[(int) len];
        in.readFully(p);
        return new Frame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, p);
    }

    /** Whether the server closed the connection: reads one byte, expecting the end. */
    public boolean atEnd() throws IOException {
        return in.read() < 0;
    }

    /** Sends a frame, masked unless {@code masked} is false. */
    public void send(int firstByte, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(firstByte);
        int m = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(m | payload.length);
        } else {
            f.write(m | 126);
            f.write(payload.length >> 8);
            f.write(payload.length);
        }
        byte[] key = {0x12, 0x34, 0x56, 0x78};
        if (masked) f.write(key);
        for (int i = 0; i < payload.length; i++) f.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        out.write(f.toByteArray());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
