package dev.pushrelay.wire;

import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Real XNIO IO thread and worker pool, real client sockets on loopback. */
class CloseBatchTest {

    @Test
    void connectionsLeftInOneRoundAreAllClosedTogetherOffTheIoThread() throws Exception {
        XnioWorker worker = Xnio.getInstance(CloseBatchTest.class.getClassLoader())
                .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        int clients = 50;
        List<Socket> sockets = new ArrayList<>();
        try {
            BlockingQueue<String> closedOn = new ArrayBlockingQueue<>(clients);
            Set<Thread> ioThreads = ConcurrentHashMap.newKeySet();
            List<StreamConnection> open = new ArrayList<>(); // touched on the IO thread only
            AcceptingChannel<StreamConnection> server = IoThreadAccept.bind(worker,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), OptionMap.EMPTY, c -> {
                        ioThreads.add(Thread.currentThread());
                        c.getCloseSetter().set(ch -> closedOn.add(Thread.currentThread().getName()));
                        open.add(c);
                        if (open.size() == clients) { // all here: every one leaves in this same round
                            CloseBatch batch = new CloseBatch(c.getIoThread());
                            open.forEach(batch::close);
                        }
                    });
            assertNotNull(server);
            server.resumeAccepts();
            int port = server.getLocalAddress(InetSocketAddress.class).getPort();
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(10_000);
                sockets.add(s);
            }
            for (Socket s : sockets) {
                InputStream in = s.getInputStream();
                assertEquals(-1, in.read(), "the server closed the connection");
            }
            String first = null;
            for (int i = 0; i < clients; i++) {
                String where = closedOn.poll(10, TimeUnit.SECONDS);
                assertNotNull(where, "closed");
                assertFalse(ioThreads.stream().anyMatch(t -> t.getName().equals(where)), "closed off the IO thread: " + where);
                if (first == null) first = where;
                assertEquals(first, where, "one task closes the whole round's connections");
            }
            server.close();
        } finally {
            for (Socket s : sockets) s.close();
            worker.shutdownNow();
            worker.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
