package dev.pushrelay.config.routing;

import java.net.InetSocketAddress;

/**
 * What routing and nginx variables need from a request. Implemented by the HTTP layer so
 * that this package never sees Undertow.
 */
public interface RequestView {

    /** Normalised, URL-decoded path without the query ($uri). */
    String uri();

    /** The raw request target, path and query as sent ($request_uri). */
    String requestUri();

    /** The raw query string without '?', or "" ($args). */
    String args();

    /** The first value of a request header, name matched case-insensitively, or null. */
    String header(String name);

    /** The local address the request arrived on (picks the server block by listen). */
    InetSocketAddress localAddress();

    /** The client's address ($remote_addr), as text. */
    String remoteAddr();

    /** The request method as sent ($request_method), e.g. "GET". */
    String method();

    /** The protocol of the request line ($server_protocol), e.g. "HTTP/1.1". */
    String protocol();
}
