package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Each IO thread's answer buffer on the lean path (protocol.md §12): a whole answer (head and
 * body) is copied into one direct buffer and written with one write(2), rather than as five
 * heap buffers that the JDK copies one by one into temporary direct buffers for writev(2).
 * The last message answer is kept: a publish that wakes 10,000 long-polls on one IO thread
 * encodes its 200 once, and each of them writes the same bytes. A connection that cannot
 * write it all at once copies the rest ({@link LeanExchange#answer}), so the buffer is free
 * again when the answer returns.
 */
final class LeanAnswers {

    /** Larger answers (a big message) are written as their parts. */
    static final int SIZE = 16 * 1024;

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    private static final class Slot {
        final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        final ByteBuffer[] one = {out};
        /** What {@link #out} holds, by identity: a message's 200 for one Connection and Date line, or nothing. */
        Message message;
        byte[] connection;
        byte[] date;
        /** Or a publisher's answer: its channel info (by value), status line, format, Connection and Date lines. */
        ChannelInfo info;
        byte[] status;
        ChannelInfoFormat.Choice choice;
    }

    /**
     * The 200 of {@code m} as one buffer, encoded once per message, Connection line and Date
     * line on this thread.
     *
     * @return the answer, valid until the next call on this thread; null when it does not fit
     */
    ByteBuffer[] message(Message m, byte[] headers, byte[] connection, byte[] date) {
        Slot s = slots.get();
        ByteBuffer out = s.out;
        if (s.message != m || s.connection != connection || s.date != date) {
            int size = LeanHeads.OK_200.length + connection.length + headers.length + date.length + m.length();
            if (size > SIZE) return null;
            s.message = null;
            s.info = null;
            out.clear();
            out.put(LeanHeads.OK_200).put(connection).put(headers).put(date).put(m.body());
            out.flip();
            s.message = m;
            s.connection = connection;
            s.date = date;
        }
        out.position(0);
        return s.one;
    }

    /**
     * A publisher's answer (protocol.md §3.1, §3.4): {@code status} line, Connection line,
     * Content-Type and Content-Length, Date line, then {@code info} in {@code choice}'s format.
     * Encoded again only when one of them changed since the last publish answered on this
     * thread: publishes to channels in the same state, in the same second, get the same bytes.
     *
     * @return the answer, valid until the next call on this thread
     */
    ByteBuffer[] channelInfo(byte[] status, ChannelInfoFormat.Choice choice, byte[] connection, byte[] date,
                             ChannelInfo info) {
        Slot s = slots.get();
        ByteBuffer out = s.out;
        if (s.status != status || s.connection != connection || s.date != date || !info.equals(s.info)
                || !choice.equals(s.choice)) {
            byte[] body = choice.format().render(info).getBytes(StandardCharsets.US_ASCII);
            byte[] type = LeanHeads.ascii("Content-Type: " + choice.contentType() + "\r\nContent-Length: "
                    + body.length + "\r\n");
            s.message = null;
            out.clear();
            out.put(status).put(connection).put(type).put(date).put(body); // a few hundred bytes: fits
            out.flip();
            s.info = info;
            s.status = status;
            s.choice = choice;
            s.connection = connection;
            s.date = date;
        }
        out.position(0);
        return s.one;
    }

    /** {@code parts} copied into this thread's buffer, or {@code parts} themselves when they do not fit. */
    ByteBuffer[] gather(ByteBuffer[] parts) {
        int size = 0;
        for (ByteBuffer b : parts) size += b.remaining();
        if (size > SIZE) return parts;
        Slot s = slots.get();
        s.message = null;
        s.info = null;
        ByteBuffer out = s.out;
        out.clear();
        for (ByteBuffer b : parts) out.put(b);
        out.flip();
        return s.one;
    }
}
