package dev.pushrelay.lean;

import org.xnio.StreamConnection;

/**
 * Gives a connection to Undertow for good, as it is opened without the lean path: the
 * wire checks of protocol.md §9 over the socket, then Undertow's open listener. Called only
 * at a request boundary (no lean answer in flight), so Undertow sees the connection as if it
 * had been its own from the start.
 */
@FunctionalInterface
public interface HandOff {

    /**
     * @param connection on its IO thread, no listener of ours set any more; its source
     *                   conduit yields first the bytes the lean connection had read
     */
    void handOff(StreamConnection connection);
}
