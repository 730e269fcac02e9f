package dev.pushrelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for servers a test must name in a configuration file (nginx's, or a
 * pushrelay conf with several listen addresses); everything else binds port 0.
 */
public final class Ports {

    private Ports() {
    }

    /**
     * A port free on 127.0.0.1 a moment ago. Another process may take it before the test binds
     * it; the bind then fails loudly rather than the test passing by accident.
     */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
