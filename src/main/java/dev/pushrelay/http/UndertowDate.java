package dev.pushrelay.http;

import io.undertow.util.DateUtils;
import io.undertow.util.WorkerUtils;
import org.xnio.XnioIoThread;

import java.lang.reflect.Field;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Date value Undertow writes, taken from Undertow's own cache (protocol.md §12, "The lean
 * path"): Undertow formats the date once and keeps it in a process-wide cache until a timer,
 * on the IO thread of the exchange that filled it, clears it at the next second. An answer of
 * the lean path must say exactly what an Undertow answer written at the same moment says, so
 * it reads and fills the same cache the same way (DateUtils.getCurrentDateTime, which wants an
 * exchange). Only when the cache cannot be reached (another Undertow) does it format its own.
 */
final class UndertowDate {

    private final AtomicReference<String> cached;
    private final Runnable invalidate;

    @SuppressWarnings("unchecked")
    UndertowDate() {
        AtomicReference<String> c = null;
        Runnable i = null;
        try {
            Field f = DateUtils.class.getDeclaredField("cachedDateString");
            f.setAccessible(true);
            Field t = DateUtils.class.getDeclaredField("INVALIDATE_TASK");
            t.setAccessible(true);
            c = (AtomicReference<String>) f.get(null);
            i = (Runnable) t.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            c = new AtomicReference<>();
            AtomicReference<String> own = c;
            i = () -> own.set(null);
        }
        this.cached = c;
        this.invalidate = i;
    }

    /** The current Date value, as DateUtils.getCurrentDateTime gives it on {@code io}. */
    String now(XnioIoThread io) {
        String d = cached.get();
        if (d == null) {
            long realTime = System.currentTimeMillis();
            d = DateUtils.toDateString(new Date(realTime));
            if (cached.compareAndSet(null, d)) {
                WorkerUtils.executeAfter(io, invalidate, 1000 - realTime % 1000, TimeUnit.MILLISECONDS);
            }
        }
        return d;
    }
}
