package dev.pushrelay.state;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import dev.pushrelay.store.ChannelSnapshot;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The on-disk form of the saved channels ({@code pushrelay_state_path}): a small versioned
 * binary file with a CRC-32 over everything before it, written atomically.
 *
 * <pre>
 * "PUSHRELAY-STATE\n"  16 bytes magic
 * int   version (1)
 * long  saved at, epoch second
 * int   channel count, then per channel:
 *   bytes key (int length + UTF-8)
 *   byte  has last id; if 1: long time, long tag
 *   long  last seen; long idle deadline
 *   int   message count, then per message:
 *     long time, long tag, long expires, long delete-oldest-received min
 *     byte has Content-Type; if 1: bytes (int length + UTF-8)
 *     bytes body (int length + bytes)
 * long  CRC-32 of every byte above
 * </pre>
 * All numbers big-endian. A truncated or damaged file fails the checksum before anything
 * is parsed.
 */
public final class StateFile {

    static final byte[] MAGIC = "PUSHRELAY-STATE\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int TRAILER = Long.BYTES;

    private StateFile() {
    }

    /**
     * Writes {@code channels} to {@code path} atomically: a temporary file next to it,
     * flushed to disk, renamed over {@code path}, then the directory flushed, so a crash
     * leaves either the old file or the new one, never half of one.
     *
     * @return the number of bytes written
     */
    public static long save(Path path, List<ChannelSnapshot> channels, long savedAtEpochSecond) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(path.getFileName() + ".tmp");
        long size;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32 crc = new CRC32();
            OutputStream raw = Channels.newOutputStream(ch);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(savedAtEpochSecond);
            out.writeInt(channels.size());
            for (ChannelSnapshot c : channels) {
                writeBytes(out, c.key().getBytes(StandardCharsets.UTF_8));
                out.writeBoolean(c.lastId() != null);
                if (c.lastId() != null) {
                    out.writeLong(c.lastId().time());
                    out.writeLong(c.lastId().tag());
                }
                out.writeLong(c.lastSeen());
                out.writeLong(c.idleDeadline());
                out.writeInt(c.messages().size());
                for (Message m : c.messages()) {
                    out.writeLong(m.id().time());
                    out.writeLong(m.id().tag());
                    out.writeLong(m.expires());
                    out.writeLong(m.deleteOldestReceivedMin());
                    out.writeBoolean(m.contentType() != null);
                    if (m.contentType() != null) {
                        writeBytes(out, m.contentType().getBytes(StandardCharsets.UTF_8));
                    }
                    ByteBuffer body = m.body();
                    out.writeInt(body.remaining());
                    byte[] copy = new byte[body.remaining()];
                    body.get(copy);
                    out.write(copy);
                }
            }
            long sum = crc.getValue();
            out.writeLong(sum); // also checksummed, harmless: the reader checks what precedes it
            out.flush();
            size = ch.position();
            ch.force(true);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself is durable only once the directory is
        } catch (IOException ignored) {
            // some file systems cannot open a directory; the data itself is on disk
        }
        return size;
    }

    /**
     * Reads a state file written by {@link #save}.
     *
     * @throws StateFileException with the reason when it is truncated, damaged, of another
     *         version or not a state file at all
     * @throws IOException when it cannot be read
     */
    public static Loaded load(Path path) throws IOException, StateFileException {
        byte[] all = Files.readAllBytes(path);
        int min = MAGIC.length + Integer.BYTES + Long.BYTES + Integer.BYTES + TRAILER;
        if (all.length == 0) {
            throw new StateFileException("empty (0 bytes)");
        }
        if (all.length < MAGIC.length || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StateFileException("not a pushrelay state file (bad magic)");
        }
        if (all.length < min) {
            throw new StateFileException("truncated (" + all.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - TRAILER);
        long stored = ByteBuffer.wrap(all, all.length - TRAILER, TRAILER).getLong();
        if (stored != crc.getValue()) {
            throw new StateFileException("checksum mismatch (truncated or damaged, " + all.length + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(all, MAGIC.length, all.length - MAGIC.length - TRAILER);
        try {
            int version = in.getInt();
            if (version != VERSION) {
                throw new StateFileException("unsupported version " + version + " (this pushrelay reads " + VERSION + ")");
            }
            long savedAt = in.getLong();
            int count = count(in, "channel");
            List<ChannelSnapshot> channels = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                String key = new String(bytes(in), StandardCharsets.UTF_8);
                Cursor lastId = in.get() != 0 ? new Cursor(in.getLong(), in.getLong()) : null;
                long lastSeen = in.getLong();
                long idleDeadline = in.getLong();
                int messages = count(in, "message");
                List<Message> list = new ArrayList<>(Math.min(messages, 1 << 12));
                for (int j = 0; j < messages; j++) {
                    Cursor id = new Cursor(in.getLong(), in.getLong());
                    long expires = in.getLong();
                    long dorMin = in.getLong();
                    String contentType = in.get() != 0 ? new String(bytes(in), StandardCharsets.UTF_8) : null;
                    list.add(new Message(id, bytes(in), contentType, expires, dorMin));
                }
                channels.add(new ChannelSnapshot(key, lastId, lastSeen, idleDeadline, list));
            }
            if (in.hasRemaining()) {
                throw new StateFileException(in.remaining() + " unexpected bytes after the last channel");
            }
            return new Loaded(savedAt, channels);
        } catch (BufferUnderflowException e) {
            throw new StateFileException("malformed: a record runs past the end of the data");
        }
    }

    /** A loaded state: when it was saved, and its channels. */
    public record Loaded(long savedAtEpochSecond, List<ChannelSnapshot> channels) {
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static int count(ByteBuffer in, String what) throws StateFileException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new StateFileException("malformed: " + what + " count " + n);
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer in) throws StateFileException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new StateFileException("malformed: length " + n + " with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
