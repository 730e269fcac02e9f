package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the real scenarios against {@link FakePushServer}, clean and with injected faults. */
@Timeout(120)
class ScenarioIT {
    private static final int CHANNELS = 2;
    private static final int PER_CHANNEL = 5;
    private static final int SUBS = CHANNELS * PER_CHANNEL;

    private static Report fanout(FakePushServer s, String... extra) throws Exception {
        String[] base = {"fanout", "--url", s.url(), "--channels", String.valueOf(CHANNELS), "--subscribers",
                String.valueOf(PER_CHANNEL), "--messages", "5", "--threads", "1", "--round-timeout", "1",
                "--resubscribe-timeout", "5", "--ready-timeout", "20", "--timeout", "60", "--grace-ms", "200",
                "--label", "fake"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Report r = Main.runReport(args, ps);
        r.print(ps);
        System.out.println(bytes.toString(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void cleanServerPasses() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.NONE, 0)) {
            Report r = fanout(s);
            assertTrue(r.ok(), () -> String.join("; ", r.problems()));
            assertEquals(5 * SUBS, r.value("deliveries"));
            assertEquals(0, r.value("lost"));
            assertTrue(r.value("latency_p50_ms") > 0);
        }
    }

    @Test
    void droppedMessageIsReportedLost() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.DROP, 3)) {
            Report r = fanout(s);
            assertFalse(r.ok());
            assertEquals(SUBS, r.value("lost"));
            assertEquals(0, r.value("duplicated"));
            assertEquals(0, r.value("reordered"));
            assertTrue(r.problems().stream().anyMatch(p -> p.contains("lost")), r.problems()::toString);
        }
    }

    @Test
    void duplicatedMessageIsReported() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.DUPLICATE, 2)) {
            Report r = fanout(s);
            assertFalse(r.ok());
            assertEquals(SUBS, r.value("duplicated"));
            assertEquals(0, r.value("lost"));
        }
    }

    @Test
    void reorderedMessageIsReported() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.REORDER, 2)) {
            Report r = fanout(s);
            assertFalse(r.ok());
            assertEquals(SUBS, r.value("reordered"));
            assertEquals(0, r.value("lost"));
            assertEquals(0, r.value("duplicated"));
        }
    }

    @Test
    void unexpectedPublishStatusIsReported() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.PUBLISH_500, 4)) {
            Report r = fanout(s);
            assertFalse(r.ok());
            assertEquals(CHANNELS, r.value("unexpected_statuses"));
            assertEquals(SUBS, r.value("lost"));
        }
    }

    @Test
    void publishAndIdleScenariosRun() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.NONE, 0)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int code = Main.run(new String[] {"publish", "--url", s.url(), "--connections", "4", "--channels", "10",
                "--duration", "1", "--warmup", "0", "--threads", "1"}, ps, ps);
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, out);
            assertTrue(out.contains("\"metric\":\"requests_per_s\""), out);

            bytes.reset();
            code = Main.run(new String[] {"idle", "--url", s.url(), "--subscribers", "50", "--channels", "5", "--release-check", "no",
                "--settle-ms", "100", "--threads", "2", "--server-pid", String.valueOf(ProcessHandle.current().pid())},
                    ps, ps);
            out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, out);
            assertTrue(out.contains("\"metric\":\"rss_per_subscriber_bytes\""), out);
            assertTrue(out.contains("\"metric\":\"deliveries\",\"value\":50,"), out);
        }
    }

    @Test
    void idleFailsWhenTheServerKeepsSubscribersOfClientsThatLeft() throws Exception {
        // The fake server cannot see a client leave: its channel info keeps every subscriber.
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.NONE, 0)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int code = Main.run(new String[] {"idle", "--url", s.url(), "--subscribers", "10", "--channels", "2",
                "--settle-ms", "0", "--resubscribe-timeout", "1", "--threads", "1"}, ps, ps);
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, out);
            assertTrue(out.contains("2 channel(s) still report subscribers after every client closed"), out);
        }
    }

    private static Report jitter(FakePushServer s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Report r = Main.runReport(new String[] {"jitter", "--url", s.url(), "--channels", "2", "--subscribers", "2",
            "--interval-us", "2000", "--messages", "40", "--threads", "1", "--drain-ms", "3000", "--timeout", "60",
            "--label", "fake"}, ps);
        r.print(ps);
        System.out.println(bytes.toString(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void jitterOnACleanServerDeliversEveryScheduledMessage() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.NONE, 0)) {
            Report r = jitter(s);
            assertTrue(r.ok(), () -> String.join("; ", r.problems()));
            assertEquals(40, r.value("messages"));
            assertEquals(40 * 4, r.value("deliveries"));
            assertEquals(0, r.value("lost"));
            assertTrue(r.value("latency_max_ms") > 0);
        }
    }

    @Test
    void jitterCountsASkippedMessageAsLost() throws Exception {
        try (FakePushServer s = new FakePushServer(FakePushServer.Fault.DROP, 7)) {
            Report r = jitter(s);
            assertFalse(r.ok());
            assertEquals(4, r.value("lost"));
            assertEquals(0, r.value("duplicated"));
            assertTrue(r.problems().stream().anyMatch(p -> p.contains("lost")), r.problems()::toString);
        }
    }

    @Test
    void jitterScheduleReleasesEachMessageWhenItFallsDue() {
        Progress p = new Progress(2, 3, new int[] {1, 1});
        JitterScenario.Schedule s = new JitterScenario.Schedule(1_000, 100, 2, 3, p);
        assertEquals(-1, s.next(999));
        assertEquals((0L << 32) | 1, s.next(1_000));
        assertEquals((1L << 32) | 1, s.next(1_050));
        assertEquals(-1, s.next(1_099));
        assertEquals((0L << 32) | 2, s.next(1_100));
        assertEquals((1L << 32) | 2, s.next(5_000));
        assertEquals((0L << 32) | 3, s.next(5_000));
        assertEquals((1L << 32) | 3, s.next(5_000));
        assertTrue(s.done());
        assertEquals(-1, s.next(9_000));
        assertTrue(s.lag.max() >= 3_800, "lag " + s.lag.max());
    }

    @Test
    void pubUrlPublishesOnOneNodeAndSubscribesOnTheOther() throws Exception {
        try (FakePushServer subNode = new FakePushServer(FakePushServer.Fault.NONE, 0);
             FakePushServer pubNode = subNode.sameStore()) {
            Report r = fanout(subNode, "--pub-url", pubNode.url());
            assertTrue(r.ok(), () -> String.join("; ", r.problems()));
            assertEquals(5 * SUBS, r.value("deliveries"));
            assertEquals(0, r.value("lost"));
            // every publish and channel-info request on the publisher node, every subscribe on the other
            assertEquals(5 * CHANNELS, pubNode.publishes.get());
            assertTrue(pubNode.infos.get() >= CHANNELS, "channel info asked of the publisher node");
            assertEquals(0, pubNode.subscribes.get());
            assertEquals(0, subNode.publishes.get());
            assertEquals(0, subNode.infos.get());
            assertTrue(subNode.subscribes.get() >= 5 * SUBS, "subscribes " + subNode.subscribes.get());
        }
    }

    @Test
    void pubUrlDrivesThePublishAndJitterScenarios() throws Exception {
        try (FakePushServer subNode = new FakePushServer(FakePushServer.Fault.NONE, 0);
             FakePushServer pubNode = subNode.sameStore()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            Report pub = Main.runReport(new String[] {"publish", "--url", subNode.url(), "--pub-url", pubNode.url(),
                    "--connections", "2", "--channels", "3", "--duration", "1", "--warmup", "0", "--threads", "1",
                    "--timeout", "30"}, ps);
            assertTrue(pub.ok(), () -> String.join("; ", pub.problems()));
            assertTrue(pubNode.publishes.get() > 0);
            assertEquals(0, subNode.publishes.get());
            Report jitter = Main.runReport(new String[] {"jitter", "--url", subNode.url(), "--pub-url", pubNode.url(),
                    "--channels", "1", "--subscribers", "2", "--interval-us", "20000", "--messages", "10",
                    "--threads", "1", "--timeout", "30"}, ps);
            assertTrue(jitter.ok(), () -> String.join("; ", jitter.problems()) + "\n" + bytes);
            assertEquals(0, jitter.value("lost"));
            assertEquals(0, subNode.publishes.get());
            assertEquals(0, pubNode.subscribes.get());
            assertTrue(subNode.subscribes.get() >= 20, "subscribes " + subNode.subscribes.get());
        }
    }

    @Test
    void refusesNonLoopbackAndBadOptions() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"fanout", "--url", "http://192.0.2.1:80"}, ps, ps));
        assertEquals(2, Main.run(new String[] {"fanout", "--pub-url", "http://192.0.2.1:80"}, ps, ps));
        assertEquals(2, Main.run(new String[] {"fanout", "--pub-url", "https://127.0.0.1:80"}, ps, ps));
        assertEquals(2, Main.run(new String[] {"fanout", "--no-such-option", "1"}, ps, ps));
        assertEquals(2, Main.run(new String[] {"nonsense"}, ps, ps));
    }
}
