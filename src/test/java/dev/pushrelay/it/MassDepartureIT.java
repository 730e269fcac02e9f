package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients leaving together (protocol.md §9, "Hostile input"): slowloris connections in
 * the middle of a head and idle connections that never sent a byte, dropped at once with a
 * FIN or a reset, are closed by the server with no answer (their sockets are closed off the
 * IO thread), while a long-poll subscriber on the same IO thread gets every message exactly
 * once and in order. How long the drop holds the IO thread is a speed figure: `bin/soak`.
 */
class MassDepartureIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                push_message_buffer_length 100;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    static final int EACH = 150;
    static final int MESSAGES = 40;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(CONF);

    @Test
    void s9_slowloris_and_idle_connections_dropped_together_are_closed_and_a_subscriber_misses_nothing() throws Exception {
        // a canary long-poll on one keep-alive connection, as bin/soak's
        CompletableFuture<List<String>> canary = CompletableFuture.supplyAsync(() -> {
            List<String> got = new ArrayList<>();
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(RawHttp.get("/sub?id=canary"));
                while (got.size() < MESSAGES) {
                    RawResponse r = c.read();
                    assertEquals(200, r.status(), r.text());
                    got.add(r.text());
                    c.send(RawHttp.next("/sub?id=canary", r));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return got;
        });
        server.awaitSubscribers("/pub?id=canary", 1);

        // half of them are in the middle of a head (Undertow's wire checks hold it), half sent nothing
        List<RawSocket> slow = new ArrayList<>();
        List<RawSocket> idle = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            slow.add(new RawSocket(server.port()).send("GET /sub?id=slow HTTP/1.1\r\nHost: x\r\nX-Slow: a"));
            idle.add(new RawSocket(server.port()));
        }
        // a request on the same server answered after them: every one of them has been read
        assertEquals(202, server.send(RawHttp.post("/pub?id=barrier", "b")).status());

        CompletableFuture<Void> leave = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < EACH; i++) {
                    if (i % 2 == 0) {
                        slow.get(i).halfClose();
                        idle.get(i).halfClose();
                    } else {
                        slow.get(i).reset();
                        idle.get(i).reset();
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        for (int i = 1; i <= MESSAGES; i++) {
            RawResponse r = server.send(RawHttp.post("/pub?id=canary", "m" + i));
            assertTrue(r.status() == 201 || r.status() == 202, r.toString());
        }
        leave.get(30, TimeUnit.SECONDS);

        List<String> got = canary.get(30, TimeUnit.SECONDS);
        List<String> want = new ArrayList<>();
        for (int i = 1; i <= MESSAGES; i++) want.add("m" + i);
        assertEquals(want, got, "every message exactly once, in order");

        // the half-closed ones (FIN, still reading): closed by the server, nothing answered (as nginx)
        for (int i = 0; i < EACH; i += 2) {
            for (RawSocket s : List.of(slow.get(i), idle.get(i))) {
                RawSocket.Result r = s.readToClose(10_000);
                assertTrue(r.closed(), "closed by the server");
                assertEquals("", r.text(), "no answer to an abandoned head");
                s.close();
            }
        }
        // and the server still answers on a new connection: no cursor, the oldest message
        RawResponse after = server.send(RawHttp.get("/sub?id=canary"));
        assertEquals(200, after.status(), after.toString());
        assertEquals("m1", new String(after.body(), StandardCharsets.ISO_8859_1));
        server.awaitStats(s -> s.subscribers() == 0, "no subscriber left");
    }
}
