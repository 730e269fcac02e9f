package dev.pushrelay.config;

/**
 * What nginx's access phase decided for a request (protocol.md §8.10).
 *
 * @param status 0 = go on to the content; 401, 403 or 500 = answer with nginx's page
 * @param realm for 401: the realm of {@code WWW-Authenticate: Basic realm="..."}, as written
 *        (variables not yet evaluated)
 * @param log nginx's error-log line for the refusal, or null (a 401 without credentials logs nothing)
 */
public record AccessDecision(int status, String realm, String log) {

    public static final AccessDecision ALLOW = new AccessDecision(0, null, null);

    public boolean allowed() {
        return status == 0;
    }
}
