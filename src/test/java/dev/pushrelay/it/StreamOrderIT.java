package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * protocol.md §14.3: a stream gets every message of its channel once, in order, whichever IO
 * thread each publish arrives on. Publishes come one after another over several keep-alive
 * connections, so some land on the stream's own IO thread while the one before, taken on
 * another thread, may still be on its way to the stream.
 */
class StreamOrderIT {

    private static final int MESSAGES = 1_500;
    private static final int PUBLISHERS = 4;

    @Test
    void s14_3_publishes_on_every_io_thread_reach_a_stream_once_in_order() throws IOException {
        try (TestServer server = TestServer.start("worker_processes 4;\n" + Confs.SEED)) {
            RawHttp[] publishers = new RawHttp[PUBLISHERS];
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=order", "Accept: text/event-stream"))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/publish?id=order", 1);
                for (int i = 0; i < PUBLISHERS; i++) publishers[i] = new RawHttp(server.port());
                for (int i = 0; i < MESSAGES; i++) {
                    RawHttp p = publishers[i % PUBLISHERS];
                    p.send(post("/publish?id=order", "m" + i));
                    assertEquals(201, p.read().status(), "publish " + i);
                }
                for (int i = 0; i < MESSAGES; i++) {
                    String ev = s.nextEvent();
                    assertEquals("m" + i, ev.substring(ev.indexOf("data: ") + 6, ev.length() - 2), "event " + i + ": " + ev);
                }
            } finally {
                for (RawHttp p : publishers) if (p != null) p.close();
            }
        }
    }
}
