package dev.pushrelay.wire;

import java.nio.charset.StandardCharsets;

/**
 * How nginx refuses a request it cannot parse or will not serve (protocol.md §9): the status,
 * the title of its error page, and the connection closed after the answer.
 */
public enum Refusal {
    BAD_REQUEST(400, "400 Bad Request"),
    /** A header line longer than large_client_header_buffers' size, or a head over all of them. */
    HEADER_TOO_LARGE(400, "400 Request Header Or Cookie Too Large"),
    /** A request line longer than large_client_header_buffers' size. */
    URI_TOO_LARGE(414, "414 Request-URI Too Large"),
    /** TRACE and CONNECT: nginx's core refuses them before any module runs, without Allow. */
    NOT_ALLOWED(405, "405 Not Allowed"),
    /** A Transfer-Encoding other than chunked. */
    NOT_IMPLEMENTED(501, "501 Not Implemented"),
    /** HTTP/2.0 and later on an HTTP/1 connection. */
    VERSION_NOT_SUPPORTED(505, "505 HTTP Version Not Supported");

    /**
     * The target of the request a refused one is replaced with on its way to Undertow. It
     * does not start with a slash: no client request with such a target gets past
     * {@link RequestScanner}, so it can only come from {@link StrictSourceConduit}.
     */
    static final String TARGET = "refused/";

    private final int status;
    private final String title;

    Refusal(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /**
     * The well-formed request standing in for the refused one (see {@link #TARGET}); a HEAD
     * stays a HEAD, so that Undertow sends the page's headers without the page, as nginx does.
     */
    byte[] standIn(boolean head) {
        return ((head ? "HEAD " : "GET ") + TARGET + name() + " HTTP/1.1\r\nHost: refused\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The refusal a stand-in request's target carries, or null when {@code target} is not a stand-in's. */
    public static Refusal of(String target) {
        if (!target.startsWith(TARGET)) return null;
        try {
            return valueOf(target.substring(TARGET.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
