package dev.pushrelay.config;

/**
 * Chooses server and location for a request as nginx does, and evaluates the
 * {@code set} variables. Thread-safe and immutable. (Stub: implemented by the config work.)
 */
public final class Router {

    private final Settings settings;

    public Router(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Never null; {@link RouteMatch#location()} is null when nothing matches. */
    public RouteMatch route(RequestView request) {
        throw new UnsupportedOperationException("not yet");
    }
}
