package dev.pushrelay.config;

/** One {@code listen} address of a server; host is a literal address ("127.0.0.1", "::", "0.0.0.0"). */
public record ListenAddress(String host, int port, boolean defaultServer) {

    public static final ListenAddress DEFAULT = new ListenAddress("127.0.0.1", 8080, false);

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
