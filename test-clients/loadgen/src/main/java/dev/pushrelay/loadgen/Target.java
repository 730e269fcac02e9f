package dev.pushrelay.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Where the traffic goes: loopback only, by design. */
final class Target {
    final InetSocketAddress address;
    final String hostHeader;
    final String pubPath;
    final String subPath;
    final String idParam;

    Target(String url, String pubPath, String subPath, String idParam) throws UnknownHostException {
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme())) {
            throw new IllegalArgumentException("--url must be http://HOST:PORT (got " + url + ")");
        }
        String host = u.getHost();
        if (host == null) {
            throw new IllegalArgumentException("--url has no host: " + url);
        }
        InetAddress a = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing non-loopback target " + a.getHostAddress()
                    + ": the load generator only talks to 127.0.0.0/8 or ::1");
        }
        int port = u.getPort() < 0 ? 80 : u.getPort();
        this.address = new InetSocketAddress(a, port);
        this.hostHeader = host + ":" + port;
        this.pubPath = pubPath;
        this.subPath = subPath;
        this.idParam = idParam;
    }

    String pubTarget(String channel) {
        return pubPath + (pubPath.indexOf('?') >= 0 ? "&" : "?") + idParam + "=" + channel;
    }

    String subTarget(String channel) {
        return subPath + (subPath.indexOf('?') >= 0 ? "&" : "?") + idParam + "=" + channel;
    }

    /** "GET /activity?id=CH HTTP/1.1\r\nHost: h\r\n" (no final blank line). */
    byte[] subscribeHead(String channel) {
        return ("GET " + subTarget(channel) + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Complete POST head for a body of {@code len} bytes. */
    byte[] publishHead(String channel, int len) {
        return ("POST " + pubTarget(channel) + " HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + len + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    byte[] infoRequest(String channel) {
        return ("GET " + pubTarget(channel) + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAccept: text/json\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
