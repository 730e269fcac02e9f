package dev.pushrelay.server;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.Settings;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reload of listen addresses and push_max_reserved_memory (README "Operating pushrelay"). */
class PushServerReloadTest {

    static final String LOC = "location /pub { set $push_channel_id $arg_id; push_publisher; }\n";

    @TempDir
    Path dir;

    Settings settings(String text, ListenAddress listen) throws Exception {
        Path file = dir.resolve("pushrelay.conf");
        Files.writeString(file, text);
        return ListenFlag.apply(ConfLoader.load(file), listen);
    }

    @Test
    void reload_binds_new_addresses_and_closes_removed_ones() throws Exception {
        int oldPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            oldPort = probe.getLocalPort();
        }
        Settings first = settings(LOC, new ListenAddress("127.0.0.1", oldPort, false));
        try (PushServer server = PushServer.start(first, new MutableClock())) {
            assertEquals(202, RawHttp.exchange(oldPort, RawHttp.post("/pub?id=a", "x")).status());
            try (RawHttp kept = new RawHttp(oldPort)) { // an open connection through the old address
                // One exchange first, so the connection is accepted, not still in the listen backlog.
                kept.send(RawHttp.get("/pub?id=a", "Accept: text/json"));
                assertEquals(200, kept.read().status());
                List<String> notes = server.reload(settings("push_max_reserved_memory 1m;\n" + LOC,
                        new ListenAddress("127.0.0.1", 0, false)));
                int newPort = server.port();
                assertTrue(notes.contains("[notice] now listening on 127.0.0.1:0"), notes.toString());
                assertTrue(notes.contains("[notice] no longer listening on 127.0.0.1:" + oldPort + " (open connections stay)"),
                        notes.toString());
                assertTrue(notes.contains("[notice] push_max_reserved_memory 33554432 -> 1048576 bytes"), notes.toString());
                assertEquals(1048576, server.store().stats().budgetBytes());
                assertEquals(202, RawHttp.exchange(newPort, RawHttp.post("/pub?id=a", "y")).status());
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", oldPort).close());
                kept.send(RawHttp.get("/pub?id=a", "Accept: text/json"));
                assertTrue(kept.read().text().contains("\"messages\": 2"), "the store survived");
            }
        }
    }

    @Test
    void reload_applies_new_head_limits_to_new_connections_and_keeps_open_ones_as_they_were() throws Exception {
        Settings first = settings(LOC, new ListenAddress("127.0.0.1", 0, false));
        String longLine = RawHttp.get("/pub?id=" + "a".repeat(1100), "Accept: text/json");
        try (PushServer server = PushServer.start(first, new MutableClock())) {
            int port = server.port();
            assertEquals(404, RawHttp.exchange(port, longLine).status(), "8k lines by default");
            try (RawHttp kept = new RawHttp(port)) {
                kept.send(RawHttp.get("/pub?id=a"));
                assertEquals(404, kept.read().status());
                server.reload(settings("large_client_header_buffers 2 1k;\n" + LOC, new ListenAddress("127.0.0.1", 0, false)));
                assertEquals(414, RawHttp.exchange(port, longLine).status(), "a new connection reads with 1k lines");
                kept.send(longLine);
                assertEquals(404, kept.read().status(), "an open connection keeps the limits it was opened with");
            }
        }
    }

    @Test
    void a_new_address_that_cannot_be_bound_fails_the_reload_and_changes_nothing() throws Exception {
        Settings first = settings(LOC, new ListenAddress("127.0.0.1", 0, false));
        try (PushServer server = PushServer.start(first, new MutableClock());
             ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = server.port();
            Settings next = settings("location /other { set $push_channel_id $arg_id; push_publisher; }\n",
                    new ListenAddress("127.0.0.1", taken.getLocalPort(), false));
            IOException e = assertThrows(IOException.class, () -> server.reload(next));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertEquals(List.of(port), server.addresses().stream().map(InetSocketAddress::getPort).toList());
            assertEquals(202, RawHttp.exchange(port, RawHttp.post("/pub?id=a", "x")).status(), "old locations still route");
        }
    }
}
