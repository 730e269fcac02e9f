package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ExternalPrograms;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * protocol.md §8.2 and §8.9 side by side with Debian's nginx: the Location of a redirect to a
 * path (absolute_redirect, server_name_in_redirect, port_in_redirect; Host with and without
 * port, no Host at all) and the error-log lines of rewrite_log on. Both load the same server;
 * the two listen ports are the only difference, so ports in Locations are compared as PORT.
 */
@Tag(ExternalPrograms.NGINX)
@ExtendWith(ExternalPrograms.class)
class NginxRedirectsSideBySideIT {

    private static final String SERVER = """
            server_name first.test second.test;
            default_type text/plain;
            root %1$s/html;
            rewrite_log on;
            location /ret/ { return 302 /new/x; }
            location /red/ { rewrite ^/zzz /nothing; rewrite ^/red/(.*)$ /new/$1 redirect; }
            location /abs/ { rewrite ^/abs/(.*)$ http://other.test/$1 permanent; }
            location /old/ { rewrite ^/old/(.*)$ /new/$1?x=1 last; }
            location /iff/ { if ($uri ~ ^/iff/(.*)) { return 200 "if $1\\n"; } }
            location /sn/ { server_name_in_redirect on; return 301 /new/sn; }
            location /np/ { port_in_redirect off; return 302 /new/np; }
            location /rel/ { absolute_redirect off; return 302 /new/rel; }
            location /quiet/ { rewrite_log off; rewrite ^/quiet/(.*)$ /new/$1 last; }
            location /dir/ { }
            location /new/ { return 200 "new $uri $args\\n"; }
            """;

    private static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pushrelay-redirects");
        Files.createDirectories(dir.resolve("html/dir/sub"));
        Files.createDirectories(dir.resolve("logs"));
        // nginx's workers run as nobody when the tests run as root: everything reachable
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        }
        String server = SERVER.formatted(dir);
        servers = SideBySide.start("nginx-redirects", dir, server,
                who -> " error_log " + dir + "/logs/" + who + "-error.log notice;\n");
    }

    @AfterAll
    static void stop() throws IOException {
        if (servers != null) servers.close();
    }

    @Test
    void s8_2_redirect_locations_are_nginxs_for_every_host_and_flag() throws IOException {
        List<String> heads = new ArrayList<>();
        for (String target : List.of("/ret/", "/red/x?a=1", "/abs/z?q=2", "/sn/", "/np/", "/rel/", "/dir/sub?a=1")) {
            heads.add("GET " + target + " HTTP/1.1\r\nHost: Example.TEST.:8080\r\n");
            heads.add("GET " + target + " HTTP/1.1\r\nHost: second.test\r\n");
            heads.add("GET " + target + " HTTP/1.0\r\n");
        }
        for (String head : heads) {
            RawResponse expected = send(servers.nginxPort(), head);
            RawResponse actual = send(servers.pushrelayPort(), head);
            assertEquals(expected.statusLine(), actual.statusLine(), head);
            String location = expected.header("Location");
            assertEquals(location == null ? null : location.replace(":" + servers.nginxPort(), ":PORT"),
                    actual.header("Location") == null ? null : actual.header("Location").replace(":" + servers.pushrelayPort(), ":PORT"),
                    head);
        }
    }

    @Test
    void s8_9_rewrite_log_writes_nginxs_notice_lines() throws IOException {
        List<String> heads = List.of("GET /old/a?q=1 HTTP/1.1\r\nHost: first.test\r\n",
                "GET /red/x?a=1 HTTP/1.1\r\nHost: first.test:99\r\n", "GET /abs/z HTTP/1.0\r\n",
                "GET /iff/abc HTTP/1.1\r\nHost: first.test\r\n", "GET /quiet/b HTTP/1.1\r\nHost: first.test\r\n");
        for (String head : heads) {
            assertEquals(send(servers.nginxPort(), head).statusLine(), send(servers.pushrelayPort(), head).statusLine(), head);
        }
        List<String> expected = rewriteLines(dir.resolve("logs/nginx-error.log"));
        assertFalse(expected.isEmpty(), "nginx wrote rewrite_log lines");
        // our error log is written by a background sink: wait for as many lines as nginx's, then compare
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> actual = rewriteLines(dir.resolve("logs/pushrelay-error.log"));
        while (actual.size() < expected.size() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            actual = rewriteLines(dir.resolve("logs/pushrelay-error.log"));
        }
        assertEquals(expected, actual);
    }

    /** The rewrite_log messages of a log, without time, pid and nginx's connection number. */
    private static List<String> rewriteLines(Path log) throws IOException {
        if (!Files.exists(log)) return List.of();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (!line.contains("[notice]") || !(line.contains("\" matches \"") || line.contains("\" does not match \"")
                    || line.contains(" rewritten data: ") || line.contains(" rewritten redirect: "))) continue;
            out.add(line.replaceFirst("^.*?\\[notice\\] \\d+#\\d+: (\\*\\d+ )?", ""));
        }
        return out;
    }

    private static RawResponse send(int port, String head) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            c.send(head + "\r\n");
            return c.read();
        }
    }
}
