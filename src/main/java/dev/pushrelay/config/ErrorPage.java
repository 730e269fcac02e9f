package dev.pushrelay.config;

/**
 * One code's {@code error_page CODE... [=[RESPONSE]] URI|@NAME|URL} (protocol.md §8.11).
 *
 * @param target the URI (may hold variables and '?args'), {@code @name}, or a URL, as written
 * @param override -1: the answer keeps the error's code; 0 ({@code =} alone): the answer has
 *        the code the new URI's handling gives; above 0 ({@code =CODE}): that code
 */
public record ErrorPage(String target, int override, ValueTemplate compiled) {

    /** {@code @name}: the named location handles the request, method unchanged. */
    public boolean named() {
        return target.startsWith("@");
    }

    /** Not a URI nor a name: a redirect to {@code target} (302 unless {@code =CODE} is a redirect code). */
    public boolean redirect() {
        return !target.startsWith("/") && !named();
    }

    /** The status of a redirect: =301, =302, =303, =307 or =308 as given, else 302. */
    public int redirectStatus() {
        return override == 301 || override == 302 || override == 303 || override == 307 || override == 308
                ? override : 302;
    }
}
