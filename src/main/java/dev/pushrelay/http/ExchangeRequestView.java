package dev.pushrelay.http;

import dev.pushrelay.config.routing.RequestView;
import dev.pushrelay.wire.ResponseHeads;
import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;

/** An Undertow exchange as the config package sees a request (nginx variables, routing). */
final class ExchangeRequestView implements RequestView {

    private final HttpServerExchange exchange;

    ExchangeRequestView(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public String uri() {
        return exchange.getRequestPath();
    }

    @Override
    public String requestUri() {
        String q = exchange.getQueryString();
        return q == null || q.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + q;
    }

    @Override
    public String args() {
        String q = exchange.getQueryString();
        return q == null ? "" : q;
    }

    @Override
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public InetSocketAddress localAddress() {
        return exchange.getDestinationAddress();
    }

    @Override
    public String remoteAddr() {
        InetSocketAddress a = exchange.getSourceAddress();
        return a == null ? "" : a.getAddress().getHostAddress();
    }

    @Override
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    @Override
    public String protocol() {
        return ResponseHeads.requestProtocol(exchange).toString();
    }
}
