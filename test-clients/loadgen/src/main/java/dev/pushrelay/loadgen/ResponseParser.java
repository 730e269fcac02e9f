package dev.pushrelay.loadgen;

import java.nio.ByteBuffer;

/**
 * Incremental, allocation-free HTTP/1.1 response parser for Content-Length framed
 * responses. Keeps the status, the Last-Modified and Etag values verbatim, whether the
 * server asked to close, and the first {@code bodyKeep} bytes of the body. Chunked
 * transfer-encoding and close-delimited bodies are rejected with a {@link ProtocolException}.
 */
final class ResponseParser {
    static final int MAX_LINE = 16 * 1024;
    private static final int STATUS = 0;
    private static final int HEADERS = 1;
    private static final int BODY = 2;
    private static final int DONE = 3;

    private static final byte[] H_CONTENT_LENGTH = "content-length".getBytes();
    private static final byte[] H_TRANSFER_ENCODING = "transfer-encoding".getBytes();
    private static final byte[] H_LAST_MODIFIED = "last-modified".getBytes();
    private static final byte[] H_ETAG = "etag".getBytes();
    private static final byte[] H_CONNECTION = "connection".getBytes();

    static final class ProtocolException extends Exception {
        ProtocolException(String msg) {
            super(msg);
        }
    }

    private int state = STATUS;
    private byte[] line = new byte[128];
    private int lineLen;

    int status;
    long contentLength;
    boolean close;
    boolean http10;
    final byte[] lastModified = new byte[64];
    int lastModifiedLen = -1;
    final byte[] etag = new byte[128];
    int etagLen = -1;
    final byte[] body;
    int bodyKept;
    private long bodyRemaining;

    ResponseParser(int bodyKeep) {
        this.body = new byte[bodyKeep];
        reset();
    }

    void reset() {
        state = STATUS;
        lineLen = 0;
        status = 0;
        contentLength = -1;
        close = false;
        http10 = false;
        lastModifiedLen = -1;
        etagLen = -1;
        bodyKept = 0;
        bodyRemaining = 0;
    }

    /** True while no byte of the next response has been consumed. */
    boolean idle() {
        return state == DONE || (state == STATUS && lineLen == 0);
    }

    /**
     * Consumes bytes from {@code buf}. Returns true when a complete response has been
     * parsed (the buffer position is just after it); false when more input is needed.
     */
    boolean parse(ByteBuffer buf) throws ProtocolException {
        if (state == DONE) {
            reset();
        }
        while (buf.hasRemaining()) {
            if (state == BODY) {
                int n = (int) Math.min(bodyRemaining, buf.remaining());
                int keep = Math.min(n, body.length - bodyKept);
                if (keep > 0) {
                    buf.get(body, bodyKept, keep);
                    bodyKept += keep;
                    n -= keep;
                    bodyRemaining -= keep;
                }
                if (n > 0) {
                    buf.position(buf.position() + n);
                    bodyRemaining -= n;
                }
                if (bodyRemaining == 0) {
                    state = DONE;
                    return true;
                }
                continue;
            }
            byte b = buf.get();
            if (b == '\n') {
                if (lineLen > 0 && line[lineLen - 1] == '\r') {
                    lineLen--;
                }
                if (endOfLine()) {
                    return true;
                }
                lineLen = 0;
            } else {
                if (lineLen == line.length) {
                    if (line.length >= MAX_LINE) {
                        throw new ProtocolException("header line longer than " + MAX_LINE + " bytes");
                    }
                    line = java.util.Arrays.copyOf(line, line.length * 2);
                }
                line[lineLen++] = b;
            }
        }
        return false;
    }

    /** Handles one complete line; returns true if the response is complete (no body). */
    private boolean endOfLine() throws ProtocolException {
        if (state == STATUS) {
            if (lineLen == 0) {
                return false; // tolerate stray CRLF between responses
            }
            parseStatusLine();
            state = HEADERS;
            return false;
        }
        if (lineLen == 0) {
            return headersDone();
        }
        int colon = -1;
        for (int i = 0; i < lineLen; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            throw new ProtocolException("malformed header line: " + new String(line, 0, lineLen));
        }
        int vs = colon + 1;
        int ve = lineLen;
        while (vs < ve && (line[vs] == ' ' || line[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) {
            ve--;
        }
        if (nameIs(H_CONTENT_LENGTH, colon)) {
            long v = 0;
            if (vs == ve) {
                throw new ProtocolException("empty Content-Length");
            }
            for (int i = vs; i < ve; i++) {
                int d = line[i] - '0';
                if (d < 0 || d > 9 || v > Long.MAX_VALUE / 10) {
                    throw new ProtocolException("bad Content-Length: " + new String(line, vs, ve - vs));
                }
                v = v * 10 + d;
            }
            contentLength = v;
        } else if (nameIs(H_TRANSFER_ENCODING, colon)) {
            if (!valueIs("identity", vs, ve)) {
                throw new ProtocolException("Transfer-Encoding '" + new String(line, vs, ve - vs)
                        + "' not supported (this client only reads Content-Length bodies)");
            }
        } else if (nameIs(H_LAST_MODIFIED, colon)) {
            lastModifiedLen = copy(lastModified, vs, ve, "Last-Modified");
        } else if (nameIs(H_ETAG, colon)) {
            etagLen = copy(etag, vs, ve, "Etag");
        } else if (nameIs(H_CONNECTION, colon)) {
            if (valueIs("close", vs, ve)) {
                close = true;
            } else if (valueIs("keep-alive", vs, ve)) {
                close = false;
            }
        }
        return false;
    }

    private boolean headersDone() throws ProtocolException {
        boolean bodyless = status / 100 == 1 || status == 204 || status == 304;
        if (bodyless) {
            contentLength = 0;
        } else if (contentLength < 0) {
            throw new ProtocolException("response " + status + " without Content-Length not supported");
        }
        if (contentLength == 0) {
            state = DONE;
            return true;
        }
        bodyRemaining = contentLength;
        state = BODY;
        return false;
    }

    private void parseStatusLine() throws ProtocolException {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (lineLen < 12 || line[0] != 'H' || line[1] != 'T' || line[2] != 'T' || line[3] != 'P'
                || line[4] != '/' || line[8] != ' ') {
            throw new ProtocolException("bad status line: " + new String(line, 0, Math.min(lineLen, 80)));
        }
        http10 = line[5] == '1' && line[7] == '0';
        int s = 0;
        for (int i = 9; i < 12; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) {
                throw new ProtocolException("bad status code: " + new String(line, 0, Math.min(lineLen, 80)));
            }
            s = s * 10 + d;
        }
        if (s < 100 || s > 599) {
            throw new ProtocolException("status out of range: " + s);
        }
        status = s;
        close = http10;
    }

    private boolean nameIs(byte[] lower, int len) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int c = line[i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean valueIs(String lower, int vs, int ve) {
        if (ve - vs != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            int c = line[vs + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int copy(byte[] dst, int vs, int ve, String what) throws ProtocolException {
        int n = ve - vs;
        if (n > dst.length) {
            throw new ProtocolException(what + " value longer than " + dst.length + " bytes");
        }
        System.arraycopy(line, vs, dst, 0, n);
        return n;
    }

    String bodyString() {
        return new String(body, 0, bodyKept, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
