package dev.pushrelay.it;

import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §9, hostile input: a flood of junk connections does not starve an open
 * keep-alive connection on the same IO thread. Flooding clients keep many connections in
 * flight at once (malformed heads answered 400, connect-and-close, slowloris heads left
 * hanging) while one well-behaved client sends request after request on one connection.
 * A server that serves new connections in turn with open ones lets the good client make
 * about as many round trips as each flooding client makes connections; one that serves new
 * connections first (or whose cost per junk connection grows with the flood) lets it make a
 * handful. Counts, not times: the assertion holds however slow the machine is.
 */
class JunkFloodIT {

    static final String CONF = """
            worker_processes 1;
            events {}
            http {
              server {
                listen 127.0.0.1:1;
                location /ok { return 200 ok; }
              }
            }
            """;

    static final byte[] GOOD = "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] MALFORMED = "GET /ok HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] PARTIAL = "GET /ok HTTP/1.1\r\nHo".getBytes(StandardCharsets.ISO_8859_1);

    static final int FLOODERS = 16;
    static final int PER_FLOODER = 400;
    /** Connections each flooder opens before it reads their answers. */
    static final int IN_FLIGHT = 100;
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(150);

    @Test
    void s9_an_open_connection_keeps_being_served_through_a_flood_of_junk_connections() throws Exception {
        try (TestServer server = TestServer.start(CONF); Socket good = new Socket("127.0.0.1", server.port())) {
            good.setTcpNoDelay(true);
            good.setSoTimeout(60_000);
            assertEquals("HTTP/1.1 200 OK", roundTrip(good), "served before the flood");
            long deadline = System.nanoTime() + DEADLINE_NS;
            AtomicInteger junk = new AtomicInteger();
            ConcurrentLinkedQueue<Socket> hanging = new ConcurrentLinkedQueue<>();
            List<Thread> flooders = new ArrayList<>();
            try {
                for (int t = 0; t < FLOODERS; t++) {
                    int first = t;
                    Thread f = new Thread(() -> flood(server.port(), first, deadline, junk, hanging), "flooder-" + t);
                    f.start();
                    flooders.add(f);
                }
                int served = 0;
                while (flooders.stream().anyMatch(Thread::isAlive)) {
                    assertEquals("HTTP/1.1 200 OK", roundTrip(good), "served during the flood");
                    served++;
                }
                for (Thread f : flooders) f.join();
                int perFlooder = junk.get() / FLOODERS;
                System.out.printf("JunkFloodIT: %d round trips on the open connection, %d junk connections per flooder%n",
                        served, perFlooder);
                assertTrue(perFlooder > IN_FLIGHT, "the flood ran: " + junk.get() + " junk connections");
                assertTrue(served >= perFlooder / 4, "the open connection made " + served
                        + " round trips while each flooding client made " + perFlooder + " connections");
                assertEquals("HTTP/1.1 200 OK", roundTrip(good), "served after the flood");
            } finally {
                for (Thread f : flooders) f.interrupt();
                for (Socket s : hanging) s.close();
            }
        }
    }

    /** One flooding client: IN_FLIGHT connections at a time, then their answers read to the close. */
    private static void flood(int port, int first, long deadline, AtomicInteger junk, ConcurrentLinkedQueue<Socket> hanging) {
        byte[] buf = new byte[4096];
        for (int i = 0; i < PER_FLOODER && System.nanoTime() < deadline; i += IN_FLIGHT) {
            List<Socket> answered = new ArrayList<>();
            for (int w = i; w < i + IN_FLIGHT; w++) {
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port));
                    switch ((w + first) % 4) {
                        case 0, 1 -> {
                            s.getOutputStream().write(MALFORMED);
                            answered.add(s);
                        }
                        case 2 -> s.close();
                        default -> {
                            s.getOutputStream().write(PARTIAL);
                            hanging.add(s);
                        }
                    }
                } catch (IOException e) {
                    // refused or reset: it was junk all the same
                }
            }
            for (Socket s : answered) {
                try (s) {
                    s.setSoTimeout(60_000);
                    InputStream in = s.getInputStream();
                    while (in.read(buf) >= 0) {
                        // nginx's 400 page, then the close
                    }
                } catch (IOException e) {
                    // reset after the answer
                }
            }
            junk.addAndGet(IN_FLIGHT);
        }
    }

    /** One request on the open connection; returns the answer's status line once all of it arrived. */
    private static String roundTrip(Socket s) throws IOException {
        s.getOutputStream().write(GOOD);
        InputStream in = s.getInputStream();
        byte[] b = new byte[1024];
        StringBuilder got = new StringBuilder();
        while (true) {
            int n = in.read(b);
            if (n < 0) throw new IOException("closed after " + got);
            got.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
            int h = got.indexOf("\r\n\r\n");
            if (h >= 0 && got.length() >= h + 4 + "ok".length()) return got.substring(0, got.indexOf("\r\n"));
        }
    }
}
