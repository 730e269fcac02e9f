package dev.pushrelay;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * POSIX signals for the running server, nginx-style: HUP reloads, USR1 reopens the log
 * files, TERM and INT stop
 * gracefully (README "Operating pushrelay"). {@code sun.misc.Signal} (module
 * jdk.unsupported) is the only JDK way to catch HUP; handling TERM ourselves, rather than
 * in a shutdown hook, is what lets a graceful stop end with exit status 0.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Routes HUP to {@code onSignal.accept("reload")}, USR1 to "reopen" and TERM, INT to "stop". The handler
     * only hands the word over; the work happens on the caller's thread.
     *
     * @return warning lines for signals that could not be taken over (e.g. under -Xrs)
     */
    static List<String> install(Consumer<String> onSignal) {
        List<String> failed = new ArrayList<>();
        for (String[] s : new String[][] {{"HUP", "reload"}, {"USR1", "reopen"}, {"TERM", "stop"}, {"INT", "stop"}}) {
            try {
                sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal(s[0]), sig -> onSignal.accept(s[1]));
                // HotSpot leaves a signal the process started with ignored (nohup: HUP) ignored
                // and says so only by answering SIG_IGN; nginx would have taken it over. INT
                // ignored is a background job's normal state: not worth a warning.
                if (before == sun.misc.SignalHandler.SIG_IGN && !s[0].equals("INT")) {
                    failed.add("[warn] SIG" + s[0] + " stays ignored, as the process that started pushrelay left it"
                            + " (nohup?)" + consequence(s[0], true) + "; bin/pushrelay sets it back to its default");
                }
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                failed.add("[warn] cannot handle SIG" + s[0] + " (" + e.getMessage() + ")" + consequence(s[0], false));
            }
        }
        return failed;
    }

    private static String consequence(String signal, boolean ignored) {
        return switch (signal) {
            case "HUP" -> "; reload needs a restart";
            case "USR1" -> "; log files are reopened only by a restart";
            default -> ignored ? "; kill and -s stop do not stop it" : "; it stops without draining";
        };
    }

    /** Sends {@code signal} (HUP, TERM) to {@code pid} with kill(1). */
    static void send(long pid, String signal) {
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new IllegalStateException("kill(" + pid + ", SIG" + signal + ") failed (No such process)");
        }
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill(" + pid + ", SIG" + signal + ") failed (" + out + ")");
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal);
        }
    }
}
