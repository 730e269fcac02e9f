package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Reconnects} as both subscriber kinds use it, against a port where nothing listens. */
@Timeout(60)
class ReconnectsTest {
    @Test
    void everyKindOfSubscriberRetriesTenTimesThenGivesUpAndLeavesTheRamp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        Target target = new Target("http://127.0.0.1:" + port, "/publish", "/activity", "id");
        Subscriber.Group group = new Subscriber.Group(target, new String[] {"ch"}, new Progress(1, 1, new int[] {3}));
        IoLoop loop = new IoLoop("test");
        loop.start();
        try {
            Follower[] subs = {new Subscriber(group, 0, loop),
                new StreamSubscriber(group, 0, loop, StreamSubscriber.Kind.EVENTSOURCE),
                new StreamSubscriber(group, 0, loop, StreamSubscriber.Kind.WEBSOCKET)};
            for (Follower f : subs) {
                f.start();
            }
            assertEquals(3, group.connecting.get());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.gaveUp.get() < 3 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } finally {
            loop.shutdown();
            loop.join(10_000);
        }
        assertEquals(3, group.gaveUp.get());
        assertEquals(0, group.connecting.get(), "every subscriber left the connect ramp");
        assertEquals(0, group.started.get());
        assertEquals(3 * Reconnects.MAX_FAILURES, loop.stats.reconnects);
        assertEquals(3L, loop.stats.errors.get("subscriber gave up: too many connection failures"));
        assertTrue(loop.stats.errors.keySet().stream().anyMatch(k -> k.startsWith("stream subscriber: ")),
                loop.stats.errors::toString);
    }
}
