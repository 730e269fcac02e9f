package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
    @Test
    void histogramPercentilesWithinTwoPercent() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1000);
        }
        assertEquals(100_000, h.count());
        assertEquals(50_000_000, h.percentile(0.5), 50_000_000 * 0.02);
        assertEquals(99_000_000, h.percentile(0.99), 99_000_000 * 0.02);
        assertEquals(100_000_000, h.max());
        assertEquals(1000, h.min());
    }

    @Test
    void histogramBucketsAreContiguous() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong() >>> (1 + r.nextInt(63));
            int idx = Histogram.index(v);
            assertTrue(Histogram.lowerBound(idx) <= v && v <= Histogram.upperBound(idx), "v=" + v);
        }
        for (int idx = 1; idx < 3000; idx++) {
            assertEquals(Histogram.upperBound(idx - 1) + 1, Histogram.lowerBound(idx));
        }
    }

    @Test
    void histogramMerge() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(10);
        b.record(1_000_000);
        a.merge(b);
        assertEquals(2, a.count());
        assertEquals(1_000_000, a.max());
        assertEquals(10, a.min());
    }

    @Test
    void messageBodyRoundTrip() {
        byte[] b = MessageBody.template(100);
        MessageBody.stamp(b, 1234, 987654321012345L, 42);
        assertTrue(MessageBody.valid(b, b.length));
        assertEquals(1234, MessageBody.seq(b));
        assertEquals(987654321012345L, MessageBody.nanos(b));
        assertEquals(42, MessageBody.channel(b));
        assertFalse(MessageBody.valid(b, 40));
        b[5] = 'z';
        assertFalse(MessageBody.valid(b, b.length));
        assertThrows(IllegalArgumentException.class, () -> MessageBody.template(10));
    }

    @Test
    void channelInfoSubscribers() {
        byte[] nchan = "{\"messages\": 1, \"requested\": -1, \"subscribers\": 19000, \"last_message_id\": \"1:0\" }"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(19000, ChannelInfo.parseSubscribers(nchan, nchan.length));
        byte[] push = "{\"messages\": 2, \"requested\": 0, \"subscribers\": 20 }".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(20, ChannelInfo.parseSubscribers(push, push.length));
        byte[] none = "queued messages: 1".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(-1, ChannelInfo.parseSubscribers(none, none.length));
    }

    @Test
    void targetIsLoopbackOnly() throws Exception {
        Target t = new Target("http://127.0.0.1:8080", "/publish", "/activity", "id");
        assertEquals("/publish?id=c1", t.pubTarget("c1"));
        assertEquals("GET /activity?id=c1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n",
                new String(t.subscribeHead("c1"), StandardCharsets.ISO_8859_1));
        new Target("http://[::1]:8080", "/p", "/s", "id");
        assertThrows(IllegalArgumentException.class, () -> new Target("http://10.0.0.1:80", "/p", "/s", "id"));
        assertThrows(IllegalArgumentException.class, () -> new Target("https://127.0.0.1:80", "/p", "/s", "id"));
    }

    @Test
    void optionsRejectUnknown() {
        Options o = Options.parse(new String[] {"fanout", "--channels", "3", "--bogus=1"}, 1);
        assertEquals(3, o.integer("channels", 1, 1, 10));
        assertThrows(IllegalArgumentException.class, o::checkAllUsed);
        assertThrows(IllegalArgumentException.class, () -> o.integer("bogus", 0, 5, 10));
    }
}
