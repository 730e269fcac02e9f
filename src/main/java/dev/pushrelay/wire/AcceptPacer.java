package dev.pushrelay.wire;

import org.xnio.ChannelListener;
import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Lets new connections in at most {@link #PER_ROUND} at a time per round of an IO thread's
 * event loop, as nginx's event loop takes its accepts in turn with every open connection
 * (protocol.md §9, "Hostile input"). Without it a flood of new connections starves the open
 * ones: XNIO's accept thread hands each accepted connection to the IO thread as a task, and
 * the IO thread runs tasks until none is left before it polls its sockets; and every close
 * on the IO thread re-polls the selector, so hundreds of new connections waiting to be read
 * at once make each of their closes cost as much as all of them.
 *
 * <p>An accepted connection waits here, unread (it is not yet registered for reading, so it
 * costs the selector nothing), in a queue per IO thread. While the queue is not empty a pipe
 * with one unread byte is registered for reading: the selector reports it in every round, and
 * each report opens the next {@link #PER_ROUND} connections, reading what they sent at once.
 */
public final class AcceptPacer {

    /** New connections opened per round of the event loop. */
    static final int PER_ROUND = 8;

    private final Consumer<StreamConnection> open;
    private final Map<XnioIoThread, Round> rounds = new ConcurrentHashMap<>();

    /** @param open Undertow's open listener: sets the connection up and reads it */
    public AcceptPacer(Consumer<StreamConnection> open) {
        this.open = open;
    }

    /** A connection just accepted, on its own IO thread: queued to be opened in turn. */
    public void accepted(StreamConnection connection) {
        XnioIoThread thread = connection.getIoThread();
        Round round = rounds.get(thread);
        if (round == null) {
            try {
                round = new Round(thread);
            } catch (IOException e) {
                open.accept(connection); // no pipe: opened at once, as without pacing
                return;
            }
            rounds.put(thread, round);
        }
        round.add(connection);
    }

    /** One IO thread's waiting connections and the pipe that ticks once per selector round. */
    private final class Round implements ChannelListener<StreamSourceChannel> {
        private final ArrayDeque<StreamConnection> waiting = new ArrayDeque<>();
        private final StreamSourceChannel tick;
        private final StreamSinkChannel keep;

        Round(XnioIoThread thread) throws IOException {
            ChannelPipe<StreamSourceChannel, StreamSinkChannel> pipe = thread.createHalfDuplexPipe();
            tick = pipe.getLeftSide();
            keep = pipe.getRightSide();
            if (keep.write(ByteBuffer.wrap(new byte[] {1})) != 1) {
                IoUtils.safeClose(tick, keep);
                throw new IOException("pipe not writable");
            }
            tick.getReadSetter().set(this);
        }

        void add(StreamConnection connection) {
            waiting.add(connection);
            if (waiting.size() == 1) tick.resumeReads();
        }

        /** The selector's round: the next connections are opened, the byte stays unread. */
        @Override
        public void handleEvent(StreamSourceChannel channel) {
            for (int i = 0; i < PER_ROUND; i++) {
                StreamConnection c = waiting.poll();
                if (c == null) break;
                if (!c.isOpen()) continue;
                try {
                    open.accept(c);
                } catch (RuntimeException e) {
                    IoUtils.safeClose(c);
                }
            }
            if (waiting.isEmpty()) tick.suspendReads();
        }
    }
}
