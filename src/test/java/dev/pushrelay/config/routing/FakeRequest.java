package dev.pushrelay.config.routing;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link RequestView} for tests: GET target split into uri and args, headers by lowercase name. */
public final class FakeRequest implements RequestView {

    private final String uri;
    private final String requestUri;
    private final String args;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
    private String remote = "127.0.0.1";
    private String method = "GET";

    private FakeRequest(String target) {
        requestUri = target;
        int q = target.indexOf('?');
        uri = q < 0 ? target : target.substring(0, q);
        args = q < 0 ? "" : target.substring(q + 1);
    }

    public static FakeRequest get(String target) {
        return new FakeRequest(target);
    }

    public FakeRequest header(String name, String value) {
        headers.put(name.toLowerCase(), value);
        return this;
    }

    public FakeRequest local(String host, int port) {
        local = new InetSocketAddress(host, port);
        return this;
    }

    public FakeRequest method(String m) {
        method = m;
        return this;
    }

    public FakeRequest remote(String addr) {
        remote = addr;
        return this;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String requestUri() {
        return requestUri;
    }

    @Override
    public String args() {
        return args;
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase());
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String remoteAddr() {
        return remote;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }
}
