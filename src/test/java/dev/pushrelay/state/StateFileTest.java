package dev.pushrelay.state;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import dev.pushrelay.store.ChannelSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file: round trip, atomic replacement, and every kind of damage reported. */
class StateFileTest {

    @TempDir
    Path dir;

    static final long T = 1_790_000_000L;

    static List<ChannelSnapshot> sample() {
        Message a = new Message(new Cursor(T, 0), "héllo".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", T + 3600, Message.NEVER);
        Message b = new Message(new Cursor(T, 1), new byte[] {0, 1, 2, (byte) 255}, null, 0, 2);
        return List.of(
                new ChannelSnapshot("/ch", new Cursor(T, 4), T - 5, T + 5, List.of(a, b)),
                new ChannelSnapshot("grp/ü", new Cursor(T - 1, 0), T, T, List.of()));
    }

    static byte[] body(Message m) {
        ByteBuffer b = m.body();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void round_trip_keeps_every_field() throws Exception {
        Path f = dir.resolve("state.bin");
        long size = StateFile.save(f, sample(), T);
        assertEquals(Files.size(f), size);
        StateFile.Loaded loaded = StateFile.load(f);
        assertEquals(T, loaded.savedAtEpochSecond());
        List<ChannelSnapshot> in = loaded.channels();
        List<ChannelSnapshot> expected = sample();
        assertEquals(2, in.size());
        for (int i = 0; i < 2; i++) {
            ChannelSnapshot e = expected.get(i);
            ChannelSnapshot g = in.get(i);
            assertEquals(e.key(), g.key());
            assertEquals(e.lastId(), g.lastId());
            assertEquals(e.lastSeen(), g.lastSeen());
            assertEquals(e.idleDeadline(), g.idleDeadline());
            assertEquals(e.messages().size(), g.messages().size());
            for (int j = 0; j < e.messages().size(); j++) {
                Message em = e.messages().get(j);
                Message gm = g.messages().get(j);
                assertEquals(em.id(), gm.id());
                assertEquals(em.contentType(), gm.contentType());
                assertEquals(em.expires(), gm.expires());
                assertEquals(em.deleteOldestReceivedMin(), gm.deleteOldestReceivedMin());
                assertArrayEquals(body(em), body(gm));
            }
        }
        assertTrue(in.get(1).messages().isEmpty());
        assertFalse(Files.exists(dir.resolve("state.bin.tmp")), "the temporary file was renamed");
    }

    @Test
    void save_replaces_an_older_file_and_creates_missing_directories() throws Exception {
        Path f = dir.resolve("sub/dir/state.bin");
        StateFile.save(f, sample(), T);
        StateFile.save(f, List.of(), T + 1);
        StateFile.Loaded loaded = StateFile.load(f);
        assertEquals(T + 1, loaded.savedAtEpochSecond());
        assertTrue(loaded.channels().isEmpty());
    }

    @Test
    void every_truncation_is_reported_not_thrown_as_something_else() throws Exception {
        Path f = dir.resolve("state.bin");
        StateFile.save(f, sample(), T);
        byte[] whole = Files.readAllBytes(f);
        for (int len = 0; len < whole.length; len++) {
            Files.write(f, Arrays.copyOf(whole, len));
            StateFileException e = assertThrows(StateFileException.class, () -> StateFile.load(f), "length " + len);
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Test
    void a_flipped_byte_fails_the_checksum() throws Exception {
        Path f = dir.resolve("state.bin");
        StateFile.save(f, sample(), T);
        byte[] whole = Files.readAllBytes(f);
        whole[whole.length / 2] ^= 0x10;
        Files.write(f, whole);
        StateFileException e = assertThrows(StateFileException.class, () -> StateFile.load(f));
        assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
    }

    @Test
    void another_file_or_version_is_named_as_such() throws IOException {
        Path f = dir.resolve("state.bin");
        Files.writeString(f, "{\"channels\": []}\n");
        assertEquals("not a pushrelay state file (bad magic)",
                assertThrows(StateFileException.class, () -> StateFile.load(f)).getMessage());

        ByteBuffer b = ByteBuffer.allocate(StateFile.MAGIC.length + 4 + 8 + 4);
        b.put(StateFile.MAGIC).putInt(2).putLong(T).putInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array());
        Files.write(f, ByteBuffer.allocate(b.capacity() + 8).put(b.array()).putLong(crc.getValue()).array());
        assertEquals("unsupported version 2 (this pushrelay reads 1)",
                assertThrows(StateFileException.class, () -> StateFile.load(f)).getMessage());
    }
}
