package dev.pushrelay.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Where the traffic goes: loopback only, by design. Publishes and channel info (both on the
 * publisher location) go to the publisher node, subscribers to the subscriber node: the same
 * server unless {@code --pub-url} names another (two nodes sharing channels, e.g. on Redis).
 */
final class Target {
    /** The subscriber node. */
    final InetSocketAddress subAddress;
    final String hostHeader;
    /** The publisher node: publishes and channel info. */
    final InetSocketAddress pubAddress;
    final String pubHostHeader;
    final String pubPath;
    final String subPath;
    final String idParam;

    Target(String url, String pubPath, String subPath, String idParam) throws UnknownHostException {
        this(url, null, pubPath, subPath, idParam);
    }

    /** {@code pubUrl} null: publish on {@code url}'s server too. */
    Target(String url, String pubUrl, String pubPath, String subPath, String idParam) throws UnknownHostException {
        URI u = URI.create(url);
        this.subAddress = loopback(u, "--url");
        this.hostHeader = u.getHost() + ":" + subAddress.getPort();
        URI p = pubUrl == null ? u : URI.create(pubUrl);
        this.pubAddress = loopback(p, "--pub-url");
        this.pubHostHeader = p.getHost() + ":" + pubAddress.getPort();
        this.pubPath = pubPath;
        this.subPath = subPath;
        this.idParam = idParam;
    }

    private static InetSocketAddress loopback(URI u, String option) throws UnknownHostException {
        if (!"http".equals(u.getScheme())) {
            throw new IllegalArgumentException(option + " must be http://HOST:PORT (got " + u + ")");
        }
        String host = u.getHost();
        if (host == null) {
            throw new IllegalArgumentException(option + " has no host: " + u);
        }
        InetAddress a = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing non-loopback target " + a.getHostAddress()
                    + ": the load generator only talks to 127.0.0.0/8 or ::1");
        }
        return new InetSocketAddress(a, u.getPort() < 0 ? 80 : u.getPort());
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
        return ("POST " + pubTarget(channel) + " HTTP/1.1\r\nHost: " + pubHostHeader
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + len + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    byte[] infoRequest(String channel) {
        return ("GET " + pubTarget(channel) + " HTTP/1.1\r\nHost: " + pubHostHeader + "\r\nAccept: text/json\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
