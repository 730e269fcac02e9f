package dev.pushrelay.it.clients;

import java.time.Duration;

/**
 * Installs what a real client needs through test-clients/install-deps.sh: nothing happens when
 * it is installed already; from a bare machine it takes a few minutes once.
 */
final class Deps {

    private Deps() {
    }

    static void install(String... what) {
        String[] cmd = new String[what.length + 2];
        cmd[0] = "bash";
        cmd[1] = "test-clients/install-deps.sh";
        System.arraycopy(what, 0, cmd, 2, what.length);
        ClientProcess.start("install-deps-" + String.join("-", what), cmd).expectExit(0, Duration.ofMinutes(20));
    }
}
