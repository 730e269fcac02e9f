package dev.pushrelay.testing;

import dev.pushrelay.server.PushServer;
import dev.pushrelay.store.StoreStats;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link TestServer} that JUnit starts and stops, for test classes whose tests share one
 * configuration:
 * <pre>
 * &#64;RegisterExtension
 * static final ServerExtension server = ServerExtension.perClass(CONF);      // one for the class
 * &#64;RegisterExtension
 * final ServerExtension server = ServerExtension.perTest(Confs.SEED);        // a fresh one per test
 * </pre>
 * It answers the same calls as the TestServer it holds ({@link #get()}).
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Supplier<TestServer> start;
    private final boolean perClass;
    private TestServer server;

    private ServerExtension(Supplier<TestServer> start, boolean perClass) {
        this.start = start;
        this.perClass = perClass;
    }

    /** One server for all tests of the class (register on a static field). */
    public static ServerExtension perClass(String conf) {
        return perClass(() -> TestServer.start(conf));
    }

    /** Like {@link #perClass(String)}, started by {@code start} (e.g. with client limits). */
    public static ServerExtension perClass(Supplier<TestServer> start) {
        return new ServerExtension(start, true);
    }

    /** A fresh server for every test (register on an instance field). */
    public static ServerExtension perTest(String conf) {
        return perTest(() -> TestServer.start(conf));
    }

    /** Like {@link #perTest(String)}, started by {@code start}. */
    public static ServerExtension perTest(Supplier<TestServer> start) {
        return new ServerExtension(start, false);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (perClass) server = start.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass) stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) server = start.get();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) stop();
    }

    private void stop() {
        if (server != null) server.close();
        server = null;
    }

    /** The running server. */
    public TestServer get() {
        if (server == null) throw new IllegalStateException("no server: register the extension with @RegisterExtension");
        return server;
    }

    public int port() {
        return get().port();
    }

    public MutableClock clock() {
        return get().clock();
    }

    public PushServer server() {
        return get().server();
    }

    public Path dir() {
        return get().dir();
    }

    public RawResponse send(String request) throws IOException {
        return get().send(request);
    }

    public RawHttp open(String request) throws IOException {
        return get().open(request);
    }

    public void awaitSubscribers(String publisherTarget, int n) throws IOException {
        get().awaitSubscribers(publisherTarget, n);
    }

    public StoreStats stats() {
        return get().stats();
    }

    public void awaitStats(Predicate<StoreStats> condition, String what) {
        get().awaitStats(condition, what);
    }

    public RawSocket.Result sendAndRead(byte[] request) throws IOException {
        return get().sendAndRead(request);
    }

    public RawSocket.Result sendAndRead(String request) throws IOException {
        return get().sendAndRead(request);
    }
}
