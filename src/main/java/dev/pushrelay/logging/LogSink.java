package dev.pushrelay.logging;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes log lines to their files from one background thread, so an IO thread never
 * waits for a disk: {@link #write} only offers the line to a bounded queue. When the
 * queue is full (the disk cannot keep up) the line is dropped and counted; memory stays
 * bounded. Files are opened in append mode, lazily by the writer (a reload may name new
 * ones), and {@link #reopen} closes and reopens them for log rotation, as nginx does on
 * SIGUSR1. A null path is the process's standard error.
 */
public final class LogSink implements AutoCloseable {

    /** Lines waiting for the writer, across all files. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private record Line(Path file, byte[] bytes) {
    }

    private static final Line WAKE = new Line(null, new byte[0]);

    private final BlockingQueue<Line> queue;
    private final LongAdder dropped = new LongAdder();
    private final AtomicBoolean reopen = new AtomicBoolean();
    private final Map<Path, OutputStream> files = new HashMap<>(); // writer thread only, after start
    private final Thread writer;
    private volatile boolean closed;
    private volatile long lastDropReport;

    public LogSink(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "pushrelay-log-writer");
        writer.setDaemon(true);
    }

    /**
     * Opens {@code file} now (creating it), so a path that cannot be written fails start-up
     * with a clear message, as nginx does. Call before {@link #start}.
     */
    public void open(Path file) throws IOException {
        if (file == null || files.containsKey(file)) return;
        files.put(file, openFile(file));
    }

    public void start() {
        writer.start();
    }

    /** Queues one line ({@code bytes} must end with the line end); never blocks. */
    public void write(Path file, byte[] bytes) {
        if (closed || !queue.offer(new Line(file, bytes))) {
            dropped.increment();
        }
    }

    /** Lines dropped so far because the queue was full (or the sink closed). */
    public long dropped() {
        return dropped.sum();
    }

    /** Closes and reopens every file at the writer's next turn (after log rotation). */
    public void reopen() {
        reopen.set(true);
        queue.offer(WAKE);
    }

    /** Writes what is queued, closes the files and stops the writer (waits up to 5 s). */
    @Override
    public void close() {
        closed = true;
        queue.offer(WAKE);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            closeAll();
        }
    }

    private void run() {
        List<Line> batch = new ArrayList<>(1024);
        List<OutputStream> dirty = new ArrayList<>();
        while (true) {
            try {
                Line first = queue.poll(1, TimeUnit.SECONDS);
                if (first != null) batch.add(first);
            } catch (InterruptedException e) {
                closed = true;
            }
            queue.drainTo(batch, 4096);
            if (reopen.compareAndSet(true, false)) {
                reopenAll();
            }
            for (Line l : batch) {
                if (l == WAKE) continue;
                OutputStream out = stream(l.file());
                if (out == null) {
                    dropped.increment();
                    continue;
                }
                try {
                    out.write(l.bytes());
                    if (!dirty.contains(out)) dirty.add(out);
                } catch (IOException e) {
                    dropped.increment();
                }
            }
            batch.clear();
            for (OutputStream out : dirty) {
                try {
                    out.flush();
                } catch (IOException e) {
                    // counted as dropped lines would be too late to know; the next write reports
                }
            }
            dirty.clear();
            reportDrops();
            if (closed && queue.isEmpty()) return;
        }
    }

    private OutputStream stream(Path file) {
        if (file == null) return System.err;
        OutputStream out = files.get(file);
        if (out != null) return out;
        try {
            out = openFile(file);
            files.put(file, out);
            return out;
        } catch (IOException e) {
            System.err.println("pushrelay: [alert] cannot open log file " + file + ": " + e);
            return null;
        }
    }

    private static OutputStream openFile(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("open() \"" + file + "\" failed (No such file or directory)");
        }
        return new BufferedOutputStream(new FileOutputStream(file.toFile(), true), 64 * 1024);
    }

    private void reopenAll() {
        List<Path> paths = new ArrayList<>(files.keySet());
        closeAll();
        for (Path p : paths) {
            try {
                files.put(p, openFile(p));
            } catch (IOException e) {
                System.err.println("pushrelay: [alert] cannot reopen log file " + p + ": " + e);
            }
        }
    }

    private void closeAll() {
        for (OutputStream out : files.values()) {
            try {
                out.close();
            } catch (IOException e) {
                // nothing left to do with a file that cannot be closed
            }
        }
        files.clear();
        System.err.flush();
    }

    /** At most once a minute: the error log itself may be what is full, so stderr. */
    private void reportDrops() {
        long d = dropped.sum();
        long now = System.nanoTime();
        if (d > 0 && now - lastDropReport > TimeUnit.MINUTES.toNanos(1)) {
            lastDropReport = now;
            System.err.println("pushrelay: [warn] " + d + " log lines dropped so far (the disk did not keep up)");
        }
    }
}
