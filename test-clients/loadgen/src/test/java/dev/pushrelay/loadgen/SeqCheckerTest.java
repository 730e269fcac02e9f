package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqCheckerTest {
    private static SeqChecker feed(int expected, int... seqs) {
        SeqChecker c = new SeqChecker(expected);
        for (int s : seqs) {
            c.accept(s);
        }
        return c;
    }

    @Test
    void inOrderIsClean() {
        SeqChecker c = feed(5, 1, 2, 3, 4, 5);
        assertTrue(c.complete());
        assertEquals(0, c.lost());
        assertEquals(0, c.duplicates());
        assertEquals(0, c.reordered());
        assertEquals(0, c.outOfRange());
    }

    @Test
    void droppedMessageIsLost() {
        SeqChecker c = feed(5, 1, 2, 4, 5);
        assertFalse(c.complete());
        assertEquals(1, c.lost());
        assertFalse(c.has(3));
        assertEquals(0, c.duplicates());
        assertEquals(0, c.reordered());
    }

    @Test
    void duplicateIsCounted() {
        SeqChecker c = feed(3, 1, 2, 2, 3);
        assertEquals(1, c.duplicates());
        assertEquals(0, c.lost());
        assertEquals(0, c.reordered());
    }

    @Test
    void duplicateOfOldMessageIsNotReorder() {
        SeqChecker c = feed(3, 1, 2, 3, 1);
        assertEquals(1, c.duplicates());
        assertEquals(0, c.reordered());
    }

    @Test
    void reorderIsCounted() {
        SeqChecker c = feed(4, 1, 3, 2, 4);
        assertEquals(1, c.reordered());
        assertEquals(0, c.lost());
        assertEquals(0, c.duplicates());
        assertTrue(c.complete());
    }

    @Test
    void firstTimeAcceptReturnsTrueOnly() {
        SeqChecker c = new SeqChecker(2);
        assertTrue(c.accept(1));
        assertFalse(c.accept(1));
        assertFalse(c.accept(7));
        assertEquals(1, c.outOfRange());
        assertFalse(c.accept(0));
        assertEquals(2, c.outOfRange());
    }

    @Test
    void manyMessagesAcrossWords() {
        SeqChecker c = new SeqChecker(200);
        for (int i = 1; i <= 200; i++) {
            if (i != 64 && i != 65 && i != 130) {
                c.accept(i);
            }
        }
        assertEquals(3, c.lost());
        c.accept(65);
        assertEquals(1, c.reordered());
        assertEquals(2, c.lost());
    }
}
