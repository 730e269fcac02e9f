package dev.pushrelay.server;

/**
 * The lean path's switch (protocol.md §12, README "Performance"): on unless the environment
 * says {@code PUSHRELAY_LEAN=off}; read once per server start.
 */
final class LeanSwitch {

    /** Whether the lean path is on by default (see BENCHMARKS.md "The lean path, third slice"). */
    static final boolean DEFAULT = true;

    private LeanSwitch() {
    }

    static boolean fromEnvironment() {
        String v = System.getenv("PUSHRELAY_LEAN");
        if (v == null || v.isBlank()) return DEFAULT;
        return !(v.equalsIgnoreCase("off") || v.equals("0") || v.equalsIgnoreCase("false") || v.equalsIgnoreCase("no"));
    }
}
