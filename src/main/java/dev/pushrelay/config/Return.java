package dev.pushrelay.config;

/**
 * nginx's {@code return CODE [TEXT|URL]} / {@code return URL} (302). On
 * {@link LocationSettings#returnAction()} {@code text} is the value as written (may hold
 * variables); on routing's {@code RouteMatch.response()} it is evaluated for the request.
 * For 301, 302, 303, 307 and 308 the text is the Location; otherwise it is the body.
 * Code 444 means: close the connection without a response.
 *
 * @param text null when only a code was given
 */
public record Return(int code, String text) {

    /** True for the codes where nginx sends the text as a Location header. */
    public boolean isRedirect() {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }
}
