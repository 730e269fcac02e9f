package dev.pushrelay.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** One {@code listen} address of a server; host is a literal address ("127.0.0.1", "::", "0.0.0.0"). */
public record ListenAddress(String host, int port, boolean defaultServer) {

    public static final ListenAddress DEFAULT = new ListenAddress("127.0.0.1", 8080, false);

    /**
     * {@code host|port} with the host in canonical literal form ("::" and "0:0:0:0:0:0:0:0"
     * are the same), so that listens and local socket addresses compare as nginx's do.
     */
    public static String key(String host, int port) {
        byte[] b = AccessRules.literal(host);
        String h = host;
        if (b != null) {
            try {
                h = InetAddress.getByAddress(b).getHostAddress();
            } catch (UnknownHostException e) {
                h = host;
            }
        }
        return h + "|" + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
