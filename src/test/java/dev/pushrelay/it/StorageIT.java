package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §5 and §6 over HTTP: buffer length, store off, expiry, GC, groups, memory budget. */
class StorageIT {

    @Test
    void s5_3_buffer_keeps_the_newest_max_messages() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("push_max_message_buffer_length 3;", ""))) {
            for (int i = 0; i < 5; i++) server.send(post("/pub?id=a", "m" + i));
            assertEquals("{\"messages\": 3, \"requested\": 0, \"subscribers\": 0 }",
                    server.send(get("/pub?id=a", "Accept: text/json")).text());
            assertEquals("m2", server.send(get("/sub?id=a")).text());
        }
    }

    @Test
    void s5_7_store_off_delivers_only_to_waiting_subscribers() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("push_store_messages off;", ""))) {
            assertEquals(202, server.send(post("/pub?id=a", "lost")).status());
            try (RawHttp sub = server.open(get("/sub?id=a"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                RawResponse p = server.send(post("/pub?id=a", "live", "Accept: text/json"));
                assertEquals(201, p.status());
                assertEquals("{\"messages\": 0, \"requested\": 0, \"subscribers\": 0 }", p.text());
                assertEquals("live", sub.read().text());
            }
        }
    }

    @Test
    void s5_6_expired_messages_are_never_delivered() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubIntervalSub("push_message_timeout 2s;", ""))) {
            server.send(post("/pub?id=a", "old"));
            server.clock().advanceSeconds(3);
            assertEquals(304, server.send(get("/sub?id=a")).status());
            server.send(post("/pub?id=a", "new"));
            assertEquals("new", server.send(get("/sub?id=a")).text());
        }
    }

    @Test
    void s6_2_idle_empty_channel_is_collected_after_the_channel_timeout() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("push_message_timeout 1s;", ""))) {
            server.send(post("/pub?id=a", "short-lived"));
            server.clock().advanceSeconds(2);
            assertEquals("{\"messages\": 0, \"requested\": 2, \"subscribers\": 0 }",
                    server.send(get("/pub?id=a", "Accept: text/json")).text(), "expired, channel still young");
            server.clock().advanceSeconds(6);
            // The server's periodic sweep collects it even though nobody touches it (a GET
            // would refresh its idle timer, so watch the store's totals instead).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.server().store().stats().channels() != 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals(0, server.server().store().stats().channels());
            assertEquals(404, server.send(get("/pub?id=a")).status());
        }
    }

    @Test
    void s6_2_a_watched_channel_is_never_collected() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (RawHttp sub = server.open(get("/activity?id=a"))) {
                server.awaitSubscribers("/publish?id=a", 1);
                server.clock().advanceSeconds(60);
                server.server().store().sweep();
                server.awaitSubscribers("/publish?id=a", 1);
                server.send(post("/publish?id=a", "still here"));
                assertEquals("still here", sub.read().text());
            }
        }
    }

    @Test
    void s5_4_delete_oldest_received_message() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub(
                "push_delete_oldest_received_message on; push_min_message_buffer_length 1;", ""))) {
            server.send(post("/pub?id=a", "m0"));
            server.send(post("/pub?id=a", "m1"));
            server.send(post("/pub?id=a", "m2"));
            RawResponse m0 = server.send(get("/sub?id=a"));
            assertEquals("m0", m0.text());
            assertEquals("{\"messages\": 2, \"requested\": 0, \"subscribers\": 0 }",
                    server.send(get("/pub?id=a", "Accept: text/json")).text());
            assertEquals("m1", server.send(get("/sub?id=a")).text());
            assertEquals("m2", server.send(get("/sub?id=a")).text(), "min length 1 is kept");
        }
    }

    @Test
    void s1_channel_group_isolates_and_max_id_length_truncates() throws IOException {
        String conf = """
                location /pub { set $push_channel_id $arg_id; push_publisher; push_channel_group g1; push_max_channel_id_length 3; }
                location /sub1 { set $push_channel_id $arg_id; push_subscriber; push_channel_group g1; push_max_channel_id_length 3; }
                location /sub2 { set $push_channel_id $arg_id; push_subscriber interval-poll; push_channel_group g2; }
                """;
        try (TestServer server = TestServer.start(conf)) {
            server.send(post("/pub?id=abcdef", "cut"));
            assertEquals("cut", server.send(get("/sub1?id=abc")).text(), "ids are truncated to 3 bytes");
            assertEquals(304, server.send(get("/sub2?id=abc")).status(), "another group is another channel");
        }
    }

    @Test
    void s6_3_reserved_memory_budget_refuses_with_500_and_keeps_what_is_stored() throws IOException {
        String conf = "http { push_max_reserved_memory 64k; server { "
                + Confs.pubSub("push_max_message_buffer_length 100; push_message_timeout 0;", "") + " } }";
        try (TestServer server = TestServer.start(conf)) {
            byte[] chunk = new byte[10 * 1024];
            int accepted = 0;
            RawResponse r;
            while ((r = server.send(request("POST", "/pub?id=a", chunk))).status() == 202) accepted++;
            assertEquals("HTTP/1.1 500 Internal Server Error", r.statusLine());
            assertEquals("text/plain", r.header("Content-Type"));
            assertTrue(r.text().startsWith("push_max_reserved_memory"), r.text());
            assertTrue(accepted >= 4 && accepted < 7, "accepted " + accepted);
            assertEquals("{\"messages\": " + accepted + ", \"requested\": 0, \"subscribers\": 0 }",
                    server.send(get("/pub?id=a", "Accept: text/json")).text(), "the refused publish changed nothing");
            assertEquals(200, server.send(get("/sub?id=a")).status());
            // Deleting frees the budget again.
            assertEquals(200, server.send(request("DELETE", "/pub?id=a", null)).status());
            assertEquals(202, server.send(request("POST", "/pub?id=a", chunk)).status());
        }
    }

    @Test
    void s4_6_subscriber_that_would_create_a_channel_over_the_budget_gets_500() throws IOException {
        String conf = "http { push_max_reserved_memory 32k; server { "
                + Confs.pubSub("push_max_message_buffer_length 100; push_message_timeout 0;", "") + " } }";
        try (TestServer server = TestServer.start(conf)) {
            // 300-byte messages until the budget refuses one (bounded: 100 fit at most).
            int status = 202;
            for (int i = 0; i < 200 && status == 202; i++) {
                status = server.send(request("POST", "/pub?id=full", new byte[300])).status();
            }
            assertEquals(500, status);
            RawResponse r = server.send(get("/sub?id=" + "n".repeat(200)));
            assertEquals(500, r.status());
            assertTrue(r.text().startsWith("push_max_reserved_memory"), r.text());
            assertEquals(404, server.send(get("/pub?id=" + "n".repeat(200))).status(), "nothing was created");
        }
    }

    @Test
    void s5_5_the_seed_config_as_written_keeps_the_newest_message_and_still_delivers_every_one() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED_AS_WRITTEN)) {
            for (int i = 0; i < 4; i++) server.send(post("/publish?id=a", "m" + i));
            assertEquals("{\"messages\": 1, \"requested\": 0, \"subscribers\": 0 }",
                    server.send(get("/publish?id=a", "Accept: text/json")).text());
            RawResponse newest = server.send(get("/activity?id=a"));
            assertEquals("m3", newest.text());
            // A listener that waits gets each new message, as the article's clients did.
            try (RawHttp sub = server.open(RawHttp.next("/activity?id=a", newest))) {
                server.awaitSubscribers("/publish?id=a", 1);
                assertEquals(201, server.send(post("/publish?id=a", "m4")).status());
                assertEquals("m4", sub.read().text());
            }
        }
    }
}
