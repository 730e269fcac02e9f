package dev.pushrelay.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One streaming subscriber on one connection: EventSource ({@code Accept: text/event-stream},
 * each {@code data:} event one message, chunked or close-delimited) or WebSocket (RFC 6455
 * handshake, each text or binary frame one message). No per-message request: the server
 * pushes. Reads raw bytes ({@link Conn.RawReader}); a reconnect sends {@code Last-Event-ID}
 * (EventSource) so the stream resumes after the last event, and is reported as a problem.
 */
final class StreamSubscriber implements Conn.Handler, Conn.RawReader, Follower {
    enum Kind { EVENTSOURCE, WEBSOCKET }

    private static final int HEAD_MAX = 8192;
    private static final int LINE_MAX = 4096;

    final Subscriber.Group group;
    final int channel;
    final Conn conn;
    final SeqChecker checker;
    private final Kind kind;
    private final Reconnects reconnects;
    private boolean open;

    // response head
    private final byte[] head = new byte[HEAD_MAX];
    private int headLen;
    private boolean inBody;
    private boolean chunked;
    // chunked decoding: -2 reading the size line, -1 the CRLF after a chunk, else bytes left
    private long chunkLeft = -2;
    private long chunkSize;
    private boolean chunkSizeDone;
    // EventSource lines
    private final byte[] line = new byte[LINE_MAX];
    private int lineLen;
    private final byte[] data = new byte[64];
    private int dataLen = -1;
    private boolean named;
    private final byte[] lastId = new byte[128];
    private int lastIdLen = -1;
    private byte[] pendingId = new byte[128];
    private int pendingIdLen = -1;
    // WebSocket frames
    private final byte[] frameHead = new byte[14];
    private int frameHeadLen;
    private long payloadLeft;
    private int opcode;
    private boolean fin;
    private boolean inPayload;
    private final byte[] control = new byte[125];
    private int controlLen;

    StreamSubscriber(Subscriber.Group group, int channel, IoLoop loop, Kind kind) {
        this.group = group;
        this.channel = channel;
        this.kind = kind;
        this.checker = new SeqChecker(group.progress.messages);
        this.conn = new Conn(loop, this, 512, 64);
        this.conn.raw = this;
        this.reconnects = new Reconnects(group, conn, "stream subscriber");
    }

    @Override
    public SeqChecker checker() {
        return checker;
    }

    @Override
    public void start() {
        reconnects.start();
    }

    @Override
    public void onConnect(Conn c) {
        reconnects.connected();
        headLen = 0;
        inBody = false;
        chunked = false;
        chunkLeft = -2;
        chunkSize = 0;
        chunkSizeDone = false;
        lineLen = 0;
        dataLen = -1;
        named = false;
        frameHeadLen = 0;
        inPayload = false;
        ByteBuffer out = c.out;
        out.clear();
        out.put(group.heads[channel]);
        if (kind == Kind.EVENTSOURCE) {
            out.put(ascii("Accept: text/event-stream\r\n"));
            if (lastIdLen >= 0) {
                out.put(ascii("Last-Event-ID: ")).put(lastId, 0, lastIdLen).put(ascii("\r\n"));
            }
        } else {
            out.put(ascii("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bG9hZGdlbi1zdHJlYW1zIQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"));
        }
        out.put(ascii("\r\n"));
        c.flush();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void onResponse(Conn c, ResponseParser r, long now) {
        // raw mode: the parser is never used
    }

    @Override
    public void onBytes(Conn c, ByteBuffer buf, long now) {
        while (buf.hasRemaining() && !c.closed) {
            if (!inBody) {
                byte b = buf.get();
                if (headLen == HEAD_MAX) {
                    failed(c, "response head too long");
                    return;
                }
                head[headLen++] = b;
                if (headLen >= 4 && b == '\n' && head[headLen - 2] == '\r' && head[headLen - 3] == '\n') {
                    if (!headDone(c)) {
                        return;
                    }
                }
            } else if (kind == Kind.WEBSOCKET) {
                frames(c, buf, now);
            } else if (chunked) {
                dechunk(c, buf, now);
            } else {
                sse(c, buf.get(), now);
            }
        }
    }

    /** The response head is complete: 200 (EventSource) or 101 (WebSocket) opens the stream. */
    private boolean headDone(Conn c) {
        String h = new String(head, 0, headLen, StandardCharsets.ISO_8859_1);
        int status = h.length() > 12 && h.startsWith("HTTP/1.") ? parseStatus(h) : 0;
        Stats s = c.loop.stats;
        s.subStatus[Math.max(0, Math.min(599, status))]++;
        int want = kind == Kind.WEBSOCKET ? 101 : 200;
        if (status != want) {
            s.error("stream answered " + status + " instead of " + want);
            failed(c, "stream refused");
            return false;
        }
        chunked = h.toLowerCase(java.util.Locale.ROOT).contains("\ntransfer-encoding: chunked");
        inBody = true;
        reconnects.succeeded();
        if (!open) {
            open = true;
            group.pending.incrementAndGet();
        }
        return true;
    }

    private static int parseStatus(String h) {
        try {
            return Integer.parseInt(h.substring(9, 12));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void dechunk(Conn c, ByteBuffer buf, long now) {
        while (buf.hasRemaining() && !c.closed) {
            if (chunkLeft == -2) {
                byte b = buf.get();
                if (b == '\n') {
                    if (chunkSize == 0) {
                        failed(c, "stream ended by the server");
                        return;
                    }
                    chunkLeft = chunkSize;
                    chunkSize = 0;
                    chunkSizeDone = false;
                } else if (!chunkSizeDone && Character.digit(b, 16) >= 0) {
                    chunkSize = chunkSize * 16 + Character.digit(b, 16);
                } else {
                    chunkSizeDone = true; // CR or a chunk extension
                }
            } else if (chunkLeft == -1) {
                if (buf.get() == '\n') {
                    chunkLeft = -2;
                }
            } else {
                int n = (int) Math.min(chunkLeft, buf.remaining());
                for (int i = 0; i < n; i++) {
                    sse(c, buf.get(), now);
                }
                chunkLeft -= n;
                if (chunkLeft == 0) {
                    chunkLeft = -1;
                }
            }
        }
    }

    /** One byte of the event stream; lines end at '\n' ('\r' is dropped). */
    private void sse(Conn c, byte b, long now) {
        if (b == '\r') {
            return;
        }
        if (b != '\n') {
            if (lineLen < LINE_MAX) {
                line[lineLen++] = b;
            }
            return;
        }
        if (lineLen == 0) { // end of an event
            if (dataLen >= 0 && !named) {
                if (pendingIdLen >= 0) {
                    System.arraycopy(pendingId, 0, lastId, 0, pendingIdLen);
                    lastIdLen = pendingIdLen;
                }
                Subscriber.deliver(group, channel, checker, c.loop.stats, data, Math.min(dataLen, data.length), now);
            } else if (named) {
                c.loop.stats.error("eventsource event other than a message");
            }
            dataLen = -1;
            pendingIdLen = -1;
            named = false;
        } else if (starts("data:")) {
            int from = 5 + (lineLen > 5 && line[5] == ' ' ? 1 : 0);
            int n = Math.min(lineLen - from, data.length);
            System.arraycopy(line, from, data, 0, Math.max(0, n));
            dataLen = lineLen - from;
        } else if (starts("id:")) {
            int from = 3 + (lineLen > 3 && line[3] == ' ' ? 1 : 0);
            pendingIdLen = Math.min(lineLen - from, pendingId.length);
            System.arraycopy(line, from, pendingId, 0, pendingIdLen);
        } else if (starts("event:")) {
            named = true;
        }
        lineLen = 0;
    }

    private boolean starts(String prefix) {
        if (lineLen < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** WebSocket frames from the server (unmasked, RFC 6455 §5.2). */
    private void frames(Conn c, ByteBuffer buf, long now) {
        while (buf.hasRemaining() && !c.closed) {
            if (!inPayload) {
                frameHead[frameHeadLen++] = buf.get();
                if (frameHeadLen < 2) {
                    continue;
                }
                int len7 = frameHead[1] & 0x7f;
                int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((frameHead[1] & 0x80) != 0 ? 4 : 0);
                if (frameHeadLen < need) {
                    continue;
                }
                fin = (frameHead[0] & 0x80) != 0;
                int op = frameHead[0] & 0x0f;
                long len = len7;
                if (len7 == 126) {
                    len = ((frameHead[2] & 0xff) << 8) | (frameHead[3] & 0xff);
                } else if (len7 == 127) {
                    len = 0;
                    for (int i = 2; i < 10; i++) {
                        len = (len << 8) | (frameHead[i] & 0xff);
                    }
                }
                if (op != 0) {
                    opcode = op;
                    if (op == 1 || op == 2) {
                        dataLen = 0;
                    }
                }
                controlLen = 0;
                payloadLeft = len;
                frameHeadLen = 0;
                inPayload = true;
            }
            int n = (int) Math.min(payloadLeft, buf.remaining());
            for (int i = 0; i < n; i++) {
                byte b = buf.get();
                if (opcode >= 8) {
                    if (controlLen < control.length) {
                        control[controlLen++] = b;
                    }
                } else if (dataLen < data.length) {
                    data[dataLen] = b;
                    dataLen++;
                } else {
                    dataLen++;
                }
            }
            payloadLeft -= n;
            if (payloadLeft == 0) {
                inPayload = false;
                frameDone(c, now);
            }
        }
    }

    private void frameDone(Conn c, long now) {
        Stats s = c.loop.stats;
        if (opcode == 1 || opcode == 2) {
            if (fin) {
                Subscriber.deliver(group, channel, checker, s, data, Math.min(dataLen, data.length), now);
            }
        } else if (opcode == 9) { // ping: a pong with the same payload, masked (key 0)
            ByteBuffer out = c.out;
            out.clear();
            out.put((byte) 0x8a).put((byte) (0x80 | controlLen)).putInt(0).put(control, 0, controlLen);
            c.flush();
        } else if (opcode == 8) {
            int code = controlLen >= 2 ? ((control[0] & 0xff) << 8) | (control[1] & 0xff) : 1005;
            s.error("websocket closed by the server: " + code);
            failed(c, "websocket close " + code);
        }
    }

    private void failed(Conn c, String why) {
        c.loop.fail(c, why);
    }

    @Override
    public void onClose(Conn c, String reason) {
        if (open) {
            open = false;
            group.pending.decrementAndGet();
        }
        reconnects.closed(c.loop.stats, reason);
    }
}
