package dev.pushrelay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** protocol.md §6.3: the budget may take at most half of the heap. */
class HeapCheckTest {

    private static final long MIB = 1 << 20;

    @Test
    void default_budget_fits_a_small_heap() {
        assertNull(HeapCheck.problem(32 * MIB, 64 * MIB));
        assertNull(HeapCheck.problem(32 * MIB, Long.MAX_VALUE));
    }

    @Test
    void a_budget_over_half_the_heap_is_refused_with_the_numbers() {
        assertEquals("push_max_reserved_memory 8192M is more than half of the JVM heap (1024M); raise the heap "
                + "(JAVA_OPTS=-Xmx...) to at least 16384M or lower the budget", HeapCheck.problem(8192 * MIB, 1024 * MIB));
    }
}
