package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 10,000 concurrent long-poll subscribers on one channel all receive one published message
 * (issue 2; protocol.md §4.3). The server runs as its own process so that its 10,000
 * sockets and the client's 10,000 fit the per-process open-files limit; the client is one
 * NIO selector, and the server must hold every wait without a thread.
 */
class TenThousandSubscribersIT {

    private static final int SUBSCRIBERS = 10_000;
    private static final int CONNECTING_AT_ONCE = 500;
    private static final byte[] REQUEST = "GET /activity?id=crowd HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String EXPECTED_BODY = "hello, ten thousand";

    /** One client connection: what it has sent and received. */
    private static final class Conn {
        final ByteBuffer request = ByteBuffer.wrap(REQUEST);
        final StringBuilder received = new StringBuilder();
    }

    @Test
    void ten_thousand_waiting_subscribers_all_get_the_message() throws Exception {
        try (ServerProcess server = ServerProcess.start(Confs.SEED, "-Xmx512m");
             Selector selector = Selector.open()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            List<SocketChannel> channels = new ArrayList<>(SUBSCRIBERS);
            List<Conn> conns = new ArrayList<>(SUBSCRIBERS);
            try {
                int opened = 0;
                int pending = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                int sent = 0;
                while (sent < SUBSCRIBERS) {
                    if (System.nanoTime() > deadline) throw new AssertionError("only " + sent + " subscribed");
                    while (opened < SUBSCRIBERS && pending < CONNECTING_AT_ONCE) {
                        SocketChannel ch = SocketChannel.open();
                        ch.configureBlocking(false);
                        ch.connect(address);
                        Conn conn = new Conn();
                        conns.add(conn);
                        ch.register(selector, SelectionKey.OP_CONNECT, conn);
                        channels.add(ch);
                        opened++;
                        pending++;
                    }
                    selector.select(100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        Conn c = (Conn) key.attachment();
                        if (key.isConnectable() && ch.finishConnect()) key.interestOps(SelectionKey.OP_WRITE);
                        if (key.isValid() && key.isWritable()) {
                            ch.write(c.request);
                            if (!c.request.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                                sent++;
                                pending--;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                dev.pushrelay.testing.Subscribers.await(server.port(), "/publish?id=crowd", SUBSCRIBERS,
                        java.time.Duration.ofSeconds(60));

                RawResponse published = RawHttp.exchange(server.port(), RawHttp.post("/publish?id=crowd", EXPECTED_BODY));
                assertEquals(201, published.status());

                int complete = 0;
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (complete < SUBSCRIBERS && System.nanoTime() < deadline) {
                    selector.select(100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        Conn c = (Conn) key.attachment();
                        buffer.clear();
                        int n = ((SocketChannel) key.channel()).read(buffer);
                        if (n > 0) {
                            c.received.append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
                            if (c.received.toString().endsWith(EXPECTED_BODY)) {
                                complete++;
                                key.cancel();
                            }
                        } else if (n < 0) {
                            key.cancel();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                int ok = 0;
                for (Conn c : conns) {
                    if (c.received.toString().startsWith("HTTP/1.1 200 OK\r\n")
                            && c.received.toString().endsWith("\r\n\r\n" + EXPECTED_BODY)) {
                        ok++;
                    }
                }
                assertEquals(SUBSCRIBERS, complete, "subscribers that got a complete response");
                assertEquals(SUBSCRIBERS, ok, "subscribers that got 200 with the message");
            } finally {
                for (SocketChannel ch : channels) ch.close();
            }
        }
    }
}
