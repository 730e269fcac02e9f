package dev.pushrelay.wire;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real selector over real pipes, with the compact set in place of the JDK's (as the server runs). */
class SelectedKeysTest {

    @Test
    void aSelectorReportsTheSameKeysAndXniosArrayShrinksAfterABurst() throws IOException {
        int n = SelectedKeys.SHRINK_ABOVE + 44;
        List<Pipe> pipes = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            assertTrue(SelectedKeys.installOn(selector), "java.base/sun.nio.ch is opened to the tests as to the jar");
            List<SelectionKey> registered = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Pipe p = Pipe.open();
                pipes.add(p);
                p.sink().configureBlocking(false);
                registered.add(p.sink().register(selector, SelectionKey.OP_WRITE)); // a pipe's sink is writable at once
            }

            // a burst: every key ready at once, read as XNIO's loop reads them
            assertEquals(n, selector.selectNow());
            Set<SelectionKey> ready = selector.selectedKeys();
            SelectionKey[] held = ready.toArray(new SelectionKey[0]);
            assertEquals(n, held.length);
            assertEquals(Set.copyOf(registered), Set.of(held));
            assertThrows(UnsupportedOperationException.class, () -> ready.add(registered.get(0)));
            ready.clear();
            assertTrue(ready.isEmpty());

            // then one key ready: the same key, and a small array back for XNIO's big one
            for (SelectionKey k : registered.subList(1, n)) k.cancel();
            assertEquals(1, selector.selectNow());
            SelectionKey[] next = selector.selectedKeys().toArray(held);
            assertTrue(next.length < 64, "array of " + next.length);
            assertEquals(registered.get(0), next[0]);
            assertNull(next[1]);
            selector.selectedKeys().clear();

            // small rounds keep the array they are given
            assertEquals(1, selector.selectNow());
            SelectionKey[] again = selector.selectedKeys().toArray(next);
            assertTrue(again == next);
            assertArrayEquals(new SelectionKey[] {registered.get(0)}, Arrays.copyOf(again, 1));
            selector.selectedKeys().remove(registered.get(0));
            assertEquals(0, selector.selectedKeys().size());
        } finally {
            for (Pipe p : pipes) {
                p.sink().close();
                p.source().close();
            }
        }
    }

    /**
     * Ready keys come out in the order their sockets became ready (epoll's), as nginx takes
     * its events: a publish that arrived first is not served after every poll that came later.
     */
    @Test
    void keysComeOutInTheOrderTheyBecameReady() throws IOException {
        int n = 64;
        List<Pipe> pipes = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            assertTrue(SelectedKeys.installOn(selector));
            List<SelectionKey> registered = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Pipe p = Pipe.open();
                pipes.add(p);
                p.source().configureBlocking(false);
                registered.add(p.source().register(selector, SelectionKey.OP_READ));
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) order.add(i);
            Collections.shuffle(order, new Random(13));
            assertEquals(0, selector.selectNow()); // the keys are in epoll now, none ready
            for (int i : order) pipes.get(i).sink().write(ByteBuffer.wrap(new byte[] {1}));

            assertEquals(n, selector.selectNow());
            SelectionKey[] ready = selector.selectedKeys().toArray(new SelectionKey[0]);
            List<SelectionKey> expected = new ArrayList<>();
            for (int i : order) expected.add(registered.get(i));
            assertEquals(expected, Arrays.asList(ready));
            selector.selectedKeys().clear();
        } finally {
            for (Pipe p : pipes) {
                p.sink().close();
                p.source().close();
            }
        }
    }
}
