package dev.pushrelay.wire;

import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Real XNIO IO threads and real client sockets on loopback. */
class IoThreadAcceptTest {

    @Test
    void everyConnectionIsAcceptedAndOpenedOnItsOwnIoThreadWithNoAcceptThread() throws Exception {
        for (int threads : new int[] {1, 2}) {
            XnioWorker worker = Xnio.getInstance(IoThreadAcceptTest.class.getClassLoader())
                    .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, threads));
            try {
                OptionMap.Builder options = OptionMap.builder().set(Options.TCP_NODELAY, true);
                if (threads > 1) options.set(Options.BALANCING_TOKENS, 1).set(Options.BALANCING_CONNECTIONS, 2);
                BlockingQueue<String> opened = new ArrayBlockingQueue<>(64);
                AcceptingChannel<StreamConnection> server = IoThreadAccept.bind(worker,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options.getMap(), c -> {
                            Thread t = Thread.currentThread();
                            opened.add((t == c.getIoThread() && t instanceof XnioIoThread ? "own IO thread " : "elsewhere ")
                                    + t.getName());
                            try {
                                c.getSinkChannel().getConduit().write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
                                c.getSinkChannel().getConduit().terminateWrites();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                // XNIO's per-IO-thread server is built (an XNIO upgrade that loses it fails here, not silently)
                assertNotNull(server, "XNIO's per-IO-thread server");
                server.resumeAccepts();
                int port = server.getLocalAddress(InetSocketAddress.class).getPort();
                int clients = 20;
                for (int i = 0; i < clients; i++) {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.setSoTimeout(10_000);
                        assertEquals("hi", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                    }
                }
                for (int i = 0; i < clients; i++) {
                    String where = opened.poll(10, TimeUnit.SECONDS);
                    assertNotNull(where);
                    assertEquals("own IO thread", where.substring(0, "own IO thread".length()), where);
                    assertFalse(where.contains("Accept"), where);
                }
                server.close();
            } finally {
                worker.shutdownNow();
                worker.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anAddressInUseIsAnIoException() throws IOException, InterruptedException {
        XnioWorker worker = Xnio.getInstance(IoThreadAcceptTest.class.getClassLoader())
                .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThrows(IOException.class, () -> IoThreadAccept.bind(worker,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()),
                    OptionMap.create(Options.REUSE_ADDRESSES, false), c -> { }));
        } finally {
            worker.shutdownNow();
            worker.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
