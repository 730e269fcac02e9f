package dev.pushrelay.wire;

import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

import java.lang.reflect.Field;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps each IO thread's set of ready keys as small as what is ready. The JDK's selector
 * collects them in a HashSet, and XNIO's loop copies that set into an array it keeps and
 * clears both on every round; all three walk the largest size they ever had, since neither
 * shrinks. After 10,000 clients left together the set has 16,384 slots and the array 10,000,
 * and every round after that (about one per publish) walked them for the one or two keys
 * ready: 13% of the IO thread's time in a 1,000×10 stream fan-out (BENCHMARKS.md, "streams
 * tail"). Here the set starts over small once it has held many keys, and hands XNIO a small
 * array back when its own has grown far past what is ready.
 *
 * <p>It also keeps the keys in the order epoll reported them, the order they became ready, as
 * nginx takes its events: in a HashSet's order a socket's place in every round is fixed by its
 * hash, so a publish whose connection hashes late waits behind the polls made ready after it,
 * in every round (BENCHMARKS.md, "ready keys in arrival order").
 *
 * <p>The JDK keeps the set in private fields of {@code sun.nio.ch.SelectorImpl}: this needs
 * {@code java.base/sun.nio.ch} opened (the jar's manifest says {@code Add-Opens}); where it is
 * not, nothing changes.
 */
public final class SelectedKeys {

    private static final Logger LOG = Logger.getLogger(SelectedKeys.class.getName());
    /** A set that held more keys than this at once starts over when cleared. */
    static final int SHRINK_ABOVE = 256;

    private SelectedKeys() {
    }

    /** Installs the compact set on every IO thread of {@code worker}, each on its own thread. */
    public static void install(XnioWorker worker) {
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            XnioIoThread io = worker.getIoThread(i);
            io.execute(() -> installHere(io));
        }
    }

    /** On {@code io} itself, between two selects: nothing else touches the set then. */
    private static void installHere(XnioIoThread io) {
        try {
            Field own = io.getClass().getDeclaredField("selector");
            own.setAccessible(true);
            installOn((Selector) own.get(io));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "selected-key set left as it is", e);
        }
    }

    /**
     * Replaces {@code selector}'s set of ready keys with a {@link Compact} one holding the same
     * keys; only between two selects, on the thread that selects.
     *
     * @return false when the JDK's own set stays (the package is not opened: an embedded server)
     */
    static boolean installOn(Selector selector) {
        try {
            Class<?> impl = Class.forName("sun.nio.ch.SelectorImpl");
            if (!impl.isInstance(selector)) return false;
            Field keys = impl.getDeclaredField("selectedKeys");
            Field view = impl.getDeclaredField("publicSelectedKeys");
            keys.setAccessible(true);
            view.setAccessible(true);
            @SuppressWarnings("unchecked")
            Set<SelectionKey> old = (Set<SelectionKey>) keys.get(selector);
            Compact compact = new Compact();
            compact.addAll(old);
            keys.set(selector, compact);
            view.set(selector, compact.view);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "selected-key set left as it is", e);
            return false;
        }
    }

    /** The selector's set: in arrival order, and started over small once it has held many keys. */
    static final class Compact extends AbstractSet<SelectionKey> {
        private LinkedHashSet<SelectionKey> keys = new LinkedHashSet<>();
        private int peak;
        /** What {@link Selector#selectedKeys()} answers: no adding (as the JDK's own view). */
        final Set<SelectionKey> view = new View();

        @Override
        public boolean add(SelectionKey k) {
            boolean added = keys.add(k);
            if (keys.size() > peak) peak = keys.size();
            return added;
        }

        @Override
        public boolean contains(Object o) {
            return keys.contains(o);
        }

        @Override
        public boolean remove(Object o) {
            return keys.remove(o);
        }

        @Override
        public void clear() {
            if (peak > SHRINK_ABOVE) {
                keys = new LinkedHashSet<>();
                peak = 0;
            } else {
                keys.clear();
            }
        }

        @Override
        public int size() {
            return keys.size();
        }

        @Override
        public boolean isEmpty() {
            return keys.isEmpty();
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return keys.iterator();
        }

        @Override
        public Object[] toArray() {
            return keys.toArray();
        }

        /**
         * XNIO passes the array it got back last round and then nulls it past the keys: an
         * array far larger than what is ready is replaced by a small one, which it keeps.
         */
        @Override
        public <T> T[] toArray(T[] a) {
            int n = keys.size();
            if (a.length > Math.max(SHRINK_ABOVE, 4 * n)) {
                a = java.util.Arrays.copyOf(a, Math.max(16, n));
            }
            return keys.toArray(a);
        }

        private final class View extends AbstractSet<SelectionKey> {
            @Override
            public boolean contains(Object o) {
                return Compact.this.contains(o);
            }

            @Override
            public boolean remove(Object o) {
                return Compact.this.remove(o);
            }

            @Override
            public void clear() {
                Compact.this.clear();
            }

            @Override
            public int size() {
                return Compact.this.size();
            }

            @Override
            public Iterator<SelectionKey> iterator() {
                return Compact.this.iterator();
            }

            @Override
            public Object[] toArray() {
                return Compact.this.toArray();
            }

            @Override
            public <T> T[] toArray(T[] a) {
                return Compact.this.toArray(a);
            }
        }
    }
}
