package dev.pushrelay.wire;

import java.nio.ByteBuffer;

/**
 * The framing of HTTP/1.x requests on one connection, checked byte by byte as nginx 1.22
 * checks it (ngx_http_parse_request_line, ngx_http_parse_header_line, ngx_http_parse_chunked
 * and ngx_http_process_request_header; protocol.md §9): the request line, the header lines,
 * the headers that decide the framing (Host, Content-Length, Transfer-Encoding), the body
 * as Content-Length bytes or chunks, then the next pipelined request. The first byte nginx
 * would refuse stops the scan with nginx's {@link Refusal}.
 *
 * <p>Body bytes are skipped in bulk, so the cost is one look per byte of heads and chunk
 * framing; nothing is allocated per request. Bytes are scanned where they lie; two rewrites
 * in place make what nginx accepts acceptable to Undertow's parser without changing its
 * meaning: an HTTP/1.x minor version above 1 becomes 1, and a header-name byte that is not
 * an RFC 9110 token character (nginx ignores such a header) becomes {@code -}.
 */
public final class RequestScanner {

    // request line
    private static final int RL_START = 0, METHOD = 1, SP_URI = 2, SCHEME = 3, SCHEME_S1 = 4, SCHEME_S2 = 5,
            URI = 6, PCT1 = 7, PCT2 = 8, SP_VERSION = 9, V_LIT = 10, V_MAJOR = 11, V_MINOR_FIRST = 12, V_MINOR = 13,
            RL_CR = 14;
    // header lines
    private static final int H_START = 20, H_NAME = 21, H_WS = 22, H_VALUE = 23, H_CR = 24, H_END_CR = 25,
            H_NOCOLON_CR = 26;
    // bodies
    private static final int B_LENGTH = 30, C_START = 31, C_SIZE = 32, C_EXT = 33, C_EXT_CR = 34, C_DATA = 35,
            C_AFTER = 36, C_AFTER_CR = 37, C_LAST_EXT = 38, C_LAST_EXT_CR = 39, C_TRAILER = 40, C_TRAILER_CR = 41,
            C_TRAILER_LINE = 42, C_TRAILER_LINE_CR = 43;
    private static final int DEAD = 99;

    private static final int OTHER = 0, HOST = 1, LENGTH = 2, CODING = 3, IGNORED = 4;
    private static final byte[] HTTP = {'H', 'T', 'T', 'P', '/'};
    private static final byte[] CHUNKED = {'c', 'h', 'u', 'n', 'k', 'e', 'd'};
    private static final long MAX_CHUNK = Long.MAX_VALUE - 16; // nginx: size plus its framing must not overflow

    private final int lineMax;
    private final int headMax;
    private final int headersMax;

    private int state = RL_START;
    private Refusal refusal;
    private boolean refusedInBody;
    private int requestStart = -1;

    // the request being read
    private int lineBytes;
    private int headBytes;
    private int headers;
    private long method;
    private int methodLength;
    private int literal;
    private int major;
    private int minor;
    private int hosts;
    private int lengths;
    private int codings;
    private boolean chunked;
    private long contentLength;
    // the header line being read
    private final byte[] name = new byte[17]; // "transfer-encoding", the longest name looked at
    private int nameLength;
    private int kind;
    private boolean badName;
    private boolean spacePending;
    private long number;
    private int digits;
    private boolean valueBad;
    private final byte[] coding = new byte[CHUNKED.length];
    private int codingLength;
    private int hostLength;
    private boolean hostPort;
    private boolean hostDot;
    private boolean hostLiteral;
    // the body
    private long remaining;

    /**
     * @param lineMax large_client_header_buffers size: the longest request or header line
     * @param headMax large_client_header_buffers number x size: the longest head
     * @param headersMax the most header lines in one head
     */
    public RequestScanner(int lineMax, int headMax, int headersMax) {
        this.lineMax = lineMax;
        this.headMax = headMax;
        this.headersMax = headersMax;
    }

    /** The refusal that stopped the scan, or null. */
    public Refusal refusal() {
        return refusal;
    }

    /** True when the refusal was found in a body, after its head had been accepted. */
    public boolean refusedInBody() {
        return refusedInBody;
    }

    /** True when a request's head has begun and is not complete yet. */
    public boolean inHead() {
        return state < B_LENGTH && state != RL_START;
    }

    /**
     * Where, in the buffer of the last {@link #scan}, the request being read began, or -1 when
     * it began before that scan (or none has begun).
     */
    public int requestStart() {
        return requestStart;
    }

    /** True when the request being read is a HEAD (its refusal page has no body). */
    public boolean head() {
        return methodLength == 4 && method == word("HEAD");
    }

    /**
     * Checks {@code b}'s bytes from {@code from} to {@code to} (absolute indexes), continuing
     * where the last call stopped. @return {@code to}, or the index of the byte that made
     * the request refused ({@link #refusal()} then says how)
     */
    public int scan(ByteBuffer b, int from, int to) {
        requestStart = -1;
        int i = from;
        while (i < to) {
            switch (state) {
                case B_LENGTH -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) state = RL_START;
                    continue;
                }
                case C_DATA -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) state = C_AFTER;
                    continue;
                }
                case DEAD -> {
                    return i;
                }
                default -> {
                }
            }
            int c = b.get(i) & 0xff;
            Refusal r = state < B_LENGTH ? head(b, i, c) : chunk(c);
            if (r != null) {
                refusedInBody = state >= B_LENGTH;
                refusal = r;
                state = DEAD;
                return i;
            }
            i++;
        }
        return to;
    }

    /** One byte of a head. @return the refusal, or null */
    private Refusal head(ByteBuffer b, int i, int c) {
        if (state == RL_START) {
            startRequest();
            requestStart = i;
        }
        if (state <= RL_CR) {
            if (++lineBytes > lineMax) return Refusal.URI_TOO_LARGE;
        } else if (++lineBytes > lineMax) {
            return Refusal.HEADER_TOO_LARGE;
        }
        if (++headBytes > headMax) return Refusal.HEADER_TOO_LARGE;
        switch (state) {
            case RL_START, METHOD -> {
                if ((c >= 'A' && c <= 'Z') || c == '_' || c == '-') {
                    if (methodLength < 8) method = (method << 8) | c;
                    methodLength++;
                    state = METHOD;
                } else if (c == ' ' && state == METHOD) {
                    state = SP_URI;
                } else {
                    return Refusal.BAD_REQUEST;
                }
            }
            case SP_URI -> {
                if (c == '/') state = URI;
                else if (isAlpha(c)) state = SCHEME;
                else if (c != ' ') return Refusal.BAD_REQUEST;
            }
            case SCHEME -> {
                if (c == ':') state = SCHEME_S1;
                else if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') return Refusal.BAD_REQUEST;
            }
            case SCHEME_S1, SCHEME_S2 -> {
                if (c != '/') return Refusal.BAD_REQUEST;
                state = state == SCHEME_S1 ? SCHEME_S2 : URI;
            }
            case URI -> {
                if (c == ' ') state = SP_VERSION;
                else if (c == '%') state = PCT1;
                else if (c < 0x21 || c >= 0x7f) return Refusal.BAD_REQUEST; // CR/LF: HTTP/0.9, see protocol.md §9
            }
            case PCT1, PCT2 -> {
                if (!isHex(c)) return Refusal.BAD_REQUEST;
                state = state == PCT1 ? PCT2 : URI;
            }
            case SP_VERSION -> {
                if (c == 'H') {
                    literal = 1;
                    state = V_LIT;
                } else if (c != ' ') {
                    return Refusal.BAD_REQUEST;
                }
            }
            case V_LIT -> {
                if (c != HTTP[literal]) return Refusal.BAD_REQUEST;
                if (++literal == HTTP.length) state = V_MAJOR;
            }
            case V_MAJOR -> {
                if (isDigit(c)) {
                    major = major * 10 + (c - '0');
                    literal++;
                    if (major > 1) return Refusal.VERSION_NOT_SUPPORTED; // nginx answers as soon as it sees it
                } else if (c == '.' && literal > HTTP.length) {
                    state = V_MINOR_FIRST;
                } else {
                    return Refusal.BAD_REQUEST;
                }
            }
            case V_MINOR_FIRST -> {
                if (!isDigit(c)) return Refusal.BAD_REQUEST;
                if (major == 0) return Refusal.BAD_REQUEST; // HTTP/0.9 written out: nginx refuses it too
                minor = c - '0';
                if (minor > 1) b.put(i, (byte) '1'); // HTTP/1.x is HTTP/1.1 to nginx; Undertow knows only 1.0 and 1.1
                state = V_MINOR;
            }
            case V_MINOR -> {
                if (c == '\r') state = RL_CR;
                else if (c == '\n') endOfRequestLine();
                else return Refusal.BAD_REQUEST;
            }
            case RL_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                endOfRequestLine();
            }
            case H_START -> {
                if (c == '\r') {
                    state = H_END_CR;
                } else if (c == '\n') {
                    return endOfHead();
                } else if (c <= ' ' || c == 0x7f || c == ':') {
                    return Refusal.BAD_REQUEST; // folded line, leading space, empty name
                } else {
                    if (++headers > headersMax) return Refusal.HEADER_TOO_LARGE;
                    nameLength = 0;
                    badName = false;
                    kind = OTHER;
                    state = H_NAME;
                    return nameByte(b, i, c);
                }
            }
            case H_NAME -> {
                if (c == ':') {
                    startValue();
                    state = H_WS;
                } else if (c == '\r') {
                    state = H_NOCOLON_CR;
                } else if (c == '\n') {
                    state = H_START; // a line without a colon: nginx ignores it
                } else if (c < ' ' || c == ' ' || c == 0x7f) {
                    return Refusal.BAD_REQUEST;
                } else {
                    return nameByte(b, i, c);
                }
            }
            case H_NOCOLON_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                state = H_START;
            }
            case H_WS, H_VALUE -> {
                if (c == '\r') {
                    state = H_CR;
                } else if (c == '\n') {
                    return endOfHeader();
                } else if (c == 0) {
                    return Refusal.BAD_REQUEST;
                } else if (c == ' ') { // only a space: nginx keeps a tab as part of the value
                    if (state == H_VALUE) spacePending = true;
                } else {
                    state = H_VALUE;
                    valueByte(c);
                }
            }
            case H_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                return endOfHeader();
            }
            case H_END_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                return endOfHead();
            }
            default -> throw new IllegalStateException("state " + state);
        }
        return null;
    }

    private void startRequest() {
        lineBytes = 0;
        headBytes = 0;
        headers = 0;
        method = 0;
        methodLength = 0;
        major = 0;
        minor = 0;
        hosts = 0;
        lengths = 0;
        codings = 0;
        chunked = false;
        contentLength = 0;
    }

    private void endOfRequestLine() {
        lineBytes = 0;
        state = H_START;
    }

    private Refusal nameByte(ByteBuffer b, int i, int c) {
        int lower = c >= 'A' && c <= 'Z' ? c + 32 : c;
        if ((lower >= 'a' && lower <= 'z') || isDigit(c) || c == '-') {
            if (nameLength < name.length) name[nameLength] = (byte) lower;
            nameLength++;
        } else {
            // nginx ignores a header whose name has any other byte (ignore_invalid_headers);
            // Undertow refuses some of them, so those become a harmless '-'.
            badName = true;
            if (!isTokenChar(c)) b.put(i, (byte) '-');
        }
        return null;
    }

    private void startValue() {
        kind = badName ? IGNORED : nameLength > name.length ? OTHER : known();
        spacePending = false;
        number = 0;
        digits = 0;
        valueBad = false;
        codingLength = 0;
        hostLength = 0;
        hostPort = false;
        hostDot = false;
        hostLiteral = false;
    }

    private int known() {
        if (is("host")) return HOST;
        if (is("content-length")) return LENGTH;
        if (is("transfer-encoding")) return CODING;
        return OTHER;
    }

    private boolean is(String s) {
        if (nameLength != s.length()) return false;
        for (int k = 0; k < nameLength; k++) {
            if (name[k] != s.charAt(k)) return false;
        }
        return true;
    }

    /** A value byte that is not a space or tab; spaces before it are inside the value. */
    private void valueByte(int c) {
        boolean inner = spacePending;
        spacePending = false;
        switch (kind) {
            case LENGTH -> {
                if (inner || !isDigit(c) || number > (Long.MAX_VALUE - 9) / 10) {
                    valueBad = true;
                } else {
                    number = number * 10 + (c - '0');
                    digits++;
                }
            }
            case CODING -> {
                if (inner) codingLength = CHUNKED.length + 1;
                if (codingLength < CHUNKED.length) {
                    coding[codingLength] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
                }
                codingLength++;
            }
            case HOST -> {
                // ngx_http_validate_host: no path separator, control byte, space or "..", not empty
                if (inner || c == '/' || c < ' ' || c == 0x7f) valueBad = true;
                if (hostPort) return;
                if (hostLength == 0 && c == '[') hostLiteral = true;
                if (c == ']') hostLiteral = false;
                if (c == ':' && !hostLiteral) {
                    hostPort = true;
                    return;
                }
                if (c == '.' && hostDot) valueBad = true;
                hostDot = c == '.';
                hostLength++;
            }
            default -> {
            }
        }
    }

    /** The end of one header line: nginx checks the headers that decide framing right there. */
    private Refusal endOfHeader() {
        lineBytes = 0;
        state = H_START;
        switch (kind) {
            case HOST -> {
                if (hosts++ > 0) return Refusal.BAD_REQUEST;
                if (valueBad || hostLength - (hostDot ? 1 : 0) <= 0) return Refusal.BAD_REQUEST;
            }
            case LENGTH -> {
                if (lengths++ > 0) return Refusal.BAD_REQUEST;
                if (valueBad || digits == 0) return Refusal.BAD_REQUEST;
                contentLength = number;
            }
            case CODING -> {
                if (codings++ > 0) return Refusal.BAD_REQUEST;
                chunked = codingLength == CHUNKED.length && java.util.Arrays.equals(coding, CHUNKED);
            }
            default -> {
            }
        }
        return null;
    }

    /** ngx_http_process_request_header's checks, in its order; then the body's framing. */
    private Refusal endOfHead() {
        boolean http11 = major == 1 && minor >= 1;
        if (hosts == 0 && http11) return Refusal.BAD_REQUEST;
        if (codings > 0) {
            if (!http11) return Refusal.BAD_REQUEST;
            if (!chunked) return Refusal.NOT_IMPLEMENTED;
            if (lengths > 0) return Refusal.BAD_REQUEST;
        }
        if (methodLength == 7 && method == word("CONNECT")) return Refusal.NOT_ALLOWED;
        if (methodLength == 5 && method == word("TRACE")) return Refusal.NOT_ALLOWED;
        if (chunked) {
            state = C_START;
            remaining = 0;
        } else if (contentLength > 0) {
            state = B_LENGTH;
            remaining = contentLength;
        } else {
            state = RL_START;
        }
        return null;
    }

    /** One byte of chunk framing (ngx_http_parse_chunked). @return the refusal, or null */
    private Refusal chunk(int c) {
        switch (state) {
            case C_START -> {
                int d = hex(c);
                if (d < 0) return Refusal.BAD_REQUEST;
                remaining = d;
                state = C_SIZE;
            }
            case C_SIZE -> {
                int d = hex(c);
                if (d >= 0) {
                    if (remaining > MAX_CHUNK / 16) return Refusal.BAD_REQUEST;
                    remaining = remaining * 16 + d;
                    if (remaining > MAX_CHUNK) return Refusal.BAD_REQUEST;
                } else if (c == '\r') {
                    state = remaining == 0 ? C_LAST_EXT_CR : C_EXT_CR;
                } else if (c == '\n') {
                    state = remaining == 0 ? C_TRAILER : C_DATA;
                } else if (c == ';' || c == ' ' || c == '\t') {
                    state = remaining == 0 ? C_LAST_EXT : C_EXT;
                } else {
                    return Refusal.BAD_REQUEST;
                }
            }
            case C_EXT, C_LAST_EXT -> {
                boolean last = state == C_LAST_EXT;
                if (c == '\r') state = last ? C_LAST_EXT_CR : C_EXT_CR;
                else if (c == '\n') state = last ? C_TRAILER : C_DATA;
            }
            case C_EXT_CR, C_LAST_EXT_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                state = state == C_LAST_EXT_CR ? C_TRAILER : C_DATA;
            }
            case C_AFTER -> {
                if (c == '\r') state = C_AFTER_CR;
                else if (c == '\n') state = C_START;
                else return Refusal.BAD_REQUEST;
            }
            case C_AFTER_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                state = C_START;
            }
            case C_TRAILER -> {
                if (c == '\r') state = C_TRAILER_CR;
                else if (c == '\n') state = RL_START;
                else state = C_TRAILER_LINE;
            }
            case C_TRAILER_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                state = RL_START;
            }
            case C_TRAILER_LINE -> {
                if (c == '\r') state = C_TRAILER_LINE_CR;
                else if (c == '\n') state = C_TRAILER;
            }
            case C_TRAILER_LINE_CR -> {
                if (c != '\n') return Refusal.BAD_REQUEST;
                state = C_TRAILER;
            }
            default -> throw new IllegalStateException("state " + state);
        }
        return null;
    }

    private static long word(String s) {
        long w = 0;
        for (int k = 0; k < s.length(); k++) w = (w << 8) | s.charAt(k);
        return w;
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(int c) {
        return hex(c) >= 0;
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        int l = c | 0x20;
        return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(int c) {
        return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
