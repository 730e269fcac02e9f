package dev.pushrelay.config;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.config.routing.FakeRequest;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.syntax.ConfException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The full nginx.conf of issue 3, with included location files. */
class FullNginxConfTest {

    static final Path CONF = Path.of("src/test/resources/conf/nginx.conf");
    static final String DIR = "src/test/resources/conf/";

    @Test
    void loads_with_settings_per_location() throws ConfException {
        Settings s = ConfLoader.load(CONF);
        assertEquals(64L * 1024 * 1024, s.maxReservedMemory());
        assertEquals(2, s.servers().size());
        ServerSettings push = s.servers().get(0);
        assertEquals(List.of(new ListenAddress("127.0.0.1", 8080, true)), push.listens());
        assertEquals(List.of("push.example.com"), push.serverNames());
        List<LocationSettings> locs = push.locations();
        assertEquals(List.of(
                "location ~ /pub/nobuffer/(\\w+)$ (" + DIR + "push.d/pub-nobuffer.conf:1)",
                "location ~ /pub/(\\w+)$ (" + DIR + "push.d/pub.conf:1)",
                "location ~ /sub/broadcast/(\\w+)$ (" + DIR + "push.d/sub.conf:1)",
                "location ~ /sub/intervalpoll/(\\w+)$ (" + DIR + "push.d/sub.conf:6)",
                "location ~ /sub/gzip/(\\w+)$ (" + DIR + "push.d/sub.conf:10)",
                "location ~ /sub/timeout/(\\w+)$ (" + DIR + "push.d/sub.conf:17)",
                "location ~ /sub/authorized/(\\w+)$ (" + DIR + "push.d/sub.conf:22)",
                "location ~ ^/sub/other/(?<chan>\\w+)$ (" + DIR + "push.d/sub.conf:27)",
                "location / (" + DIR + "nginx.conf:31)"), locs.stream().map(LocationSettings::name).toList());
        LocationSettings nobuffer = locs.get(0);
        assertEquals(0, nobuffer.buffer().maxMessages());
        assertEquals(60, nobuffer.buffer().messageTimeoutSeconds());
        LocationSettings pub = locs.get(1);
        assertEquals(5, pub.buffer().minMessages());
        assertEquals(20, pub.buffer().maxMessages());
        assertEquals(5, pub.buffer().messageTimeoutSeconds()); // from http
        assertEquals("test", pub.channelGroup()); // from server
        assertEquals("application/octet-stream", pub.defaultType());
        assertEquals(65, pub.keepaliveTimeoutSeconds());
        assertEquals(ConcurrencyMode.BROADCAST, locs.get(2).subscribe().concurrency());
        assertEquals(PollMode.INTERVAL_POLL, locs.get(3).pollMode());
        assertTrue(locs.get(4).gzipApplies("text/plain", 1));
        assertEquals(2, locs.get(5).subscriberTimeoutSeconds());
        assertTrue(locs.get(6).subscribe().authorizedOnly());
        assertEquals("other", locs.get(7).channelGroup());
        assertEquals(Endpoint.NONE, locs.get(8).endpoint());
        // include mime.types in http: its types {} is the map of every location of every server
        assertEquals(java.util.Map.of("html", "text/html", "htm", "text/html", "shtml", "text/html",
                "txt", "text/plain", "json", "application/json"), locs.get(8).types().types());
        for (ServerSettings srv : s.servers()) {
            for (LocationSettings l : srv.locations()) {
                assertSame(locs.get(8).types(), l.types(), l.name());
            }
        }

        LocationSettings admin = s.servers().get(1).locations().get(0);
        assertFalse(admin.access().allows("192.0.2.1"));
        assertTrue(admin.access().allows("127.0.0.1"));
        assertEquals(2L * 1024 * 1024, admin.clientMaxBodySize());
    }

    @Test
    void ignored_directives_are_listed_with_file_and_line() throws ConfException {
        Settings s = ConfLoader.load(CONF);
        String c = DIR + "nginx.conf:";
        assertEquals(2, s.process().ioThreads(), "worker_processes 2: two IO threads");
        assertEquals(List.of(c + "2: user",
                c + "8: worker_connections", c + "9: multi_accept", c + "10: use",
                c + "16: sendfile", c + "17: tcp_nopush"), s.ignored());
    }

    @Test
    void error_log_access_log_and_log_format_take_effect_relative_to_the_conf_directory() throws ConfException {
        Settings s = ConfLoader.load(CONF);
        Path dir = CONF.toAbsolutePath().getParent();
        assertEquals(List.of(new dev.pushrelay.logging.ErrorLogTarget(dir.resolve("logs/error.log"),
                dev.pushrelay.logging.LogLevel.ERROR)), s.errorLogs());
        for (ServerSettings srv : s.servers()) {
            for (LocationSettings l : srv.locations()) {
                assertEquals(1, l.accessLogs().size(), l.name());
                assertEquals(dir.resolve("logs/access.log"), l.accessLogs().get(0).file());
                assertEquals("main", l.accessLogs().get(0).format().name());
            }
        }
        // pid is real (README "Operating pushrelay"), relative to the configuration's directory
        assertEquals(CONF.toAbsolutePath().getParent().resolve("logs/nginx.pid").normalize(), s.process().pidFile());
    }

    @Test
    void routes_requests_like_nginx() throws ConfException {
        Router r = new Router(ConfLoader.load(CONF));
        RouteMatch pub = r.route(FakeRequest.get("/pub/abc").header("Host", "push.example.com"));
        assertEquals(Endpoint.PUBLISHER, pub.location().endpoint());
        assertEquals("abc", pub.channelId());
        assertEquals(20, pub.location().buffer().maxMessages());
        RouteMatch nb = r.route(FakeRequest.get("/pub/nobuffer/x1"));
        assertEquals(0, nb.location().buffer().maxMessages());
        assertEquals("x1", nb.channelId());
        RouteMatch other = r.route(FakeRequest.get("/sub/other/zz"));
        assertEquals("zz", other.channelId());
        assertEquals("other", other.location().channelGroup());
        assertEquals(PollMode.INTERVAL_POLL, r.route(FakeRequest.get("/sub/intervalpoll/q")).location().pollMode());
        RouteMatch root = r.route(FakeRequest.get("/index.html"));
        assertEquals(Endpoint.NONE, root.location().endpoint());
        assertNull(root.channelId());
        // the second server, by listen port
        RouteMatch admin = r.route(FakeRequest.get("/pub/admin?id=7").local("10.0.0.2", 8081)
                .header("Host", "x.admin.example.com"));
        assertEquals(List.of("admin.example.com", "*.admin.example.com"), admin.server().serverNames());
        assertEquals("7", admin.channelId());
        assertFalse(admin.location().access().allows("10.0.0.9"));
    }

    @Test
    void include_errors_and_missing_mime_types(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "http {\n include mime.types;\n include nothing/*.conf;\n include sub.conf;\n}\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfLoader.load(main));
        assertEquals("open() \"" + dir + "/sub.conf\" failed (No such file or directory)", e.getMessage());
        Files.writeString(dir.resolve("sub.conf"), "server {\n  listen 9000;\n  bogus;\n}\n");
        e = assertThrows(ConfException.class, () -> ConfLoader.load(main));
        assertEquals(dir + "/sub.conf:3: bogus: unknown directive \"bogus\"", e.getMessage());
        Files.writeString(dir.resolve("sub.conf"), "server { listen 9000; }\n");
        Settings s = ConfLoader.load(main);
        assertEquals(9000, s.servers().get(0).listens().get(0).port());
        assertEquals(List.of(main + ":2: include mime.types (file not found)"), s.ignored());
    }

    @Test
    void include_is_relative_to_the_including_file_and_names_keep_its_path() throws Exception {
        Settings s = ConfLoader.parse("server {\n include push.d/pub.conf;\n}", Path.of(DIR + "inline.conf"));
        assertEquals("location ~ /pub/(\\w+)$ (" + DIR + "push.d/pub.conf:1)",
                s.servers().get(0).locations().get(0).name());
        ConfException e = assertThrows(ConfException.class, () -> ConfLoader.parse(
                "http {\n include push.d/pub.conf;\n}", Path.of(DIR + "inline.conf")));
        assertEquals(DIR + "push.d/pub.conf:1: location: \"location\" directive is not allowed here", e.getMessage());
    }
}
