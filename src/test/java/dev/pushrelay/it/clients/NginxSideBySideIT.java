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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * protocol.md §8.9-§8.11 side by side: Debian's nginx and pushrelay load the same server
 * block (rewrite, if, auth_basic, satisfy, limit_except, error_page, try_files, named
 * locations) and answer the same requests; status, Content-Type, Location (port aside),
 * WWW-Authenticate and body (nginx's signature aside) must be equal.
 */
@Tag(ExternalPrograms.NGINX)
@ExtendWith(ExternalPrograms.class)
class NginxSideBySideIT {

    private static final String SERVER = """
            default_type text/plain;
            types { text/html html; image/gif gif; text/plain txt; }
            root %1$s/html;
            location /a/ { rewrite ^/a/(.*)$ /b/$1; }
            location /q/ { rewrite ^/q/(.*)$ /b/$1?; }
            location /n/ { rewrite ^/n/(.*)$ /b/x?y=$1; }
            location /b/ { return 200 "b uri=$uri args=$args arg_y=$arg_y\\n"; }
            location /loop { rewrite ^ /loop2; }
            location /loop2 { rewrite ^ /loop; }
            location ~ /rewrite/(.*)$ { rewrite ^/(.*)$ $1; }
            location ~ /pub/(\\w+)$ { return 200 "pub $1 uri=$uri\\n"; }
            location /r1 { rewrite ^/r1(.*)$ /new$1 redirect; }
            location /r2 { rewrite ^/r2(.*)$ /new$1?z=1 permanent; }
            location /r3 { rewrite ^ http://example.org/x; }
            location /brk { rewrite ^/brk(.*)$ /f.txt break; }
            location /if {
                if ($arg_a) { return 200 "truthy $arg_a\\n"; }
                if ($http_x ~* "^v(\\d+)$") { return 200 "cap $1\\n"; }
                if ($request_method = POST) { return 405; }
                return 200 "none\\n";
            }
            location /auth { auth_basic "closed site"; auth_basic_user_file %1$s/htpasswd; alias %1$s/html/f.txt; }
            location /any { satisfy any; deny all; auth_basic "x"; auth_basic_user_file %1$s/htpasswd; alias %1$s/html/f.txt; }
            location /all { deny all; auth_basic "x"; auth_basic_user_file %1$s/htpasswd; alias %1$s/html/f.txt; }
            location /le { limit_except GET { deny all; } alias %1$s/html/f.txt; }
            location /ea/ { error_page 404 /404.html; }
            location /eb/ { error_page 404 =200 /empty.gif; }
            location /ec/ { error_page 404 = @fallback; return 404; }
            location @fallback { return 200 "fallback $uri $request_method\\n"; }
            location /ed/ { error_page 403 http://example.com/forbidden.html; deny all; }
            location /images/ { try_files $uri /images/default.gif; }
            location /t/ { try_files $uri $uri/index.html $uri.html =404; }
            location / { try_files $uri $uri/ @drupal; }
            location @drupal { return 200 "drupal $uri $args\\n"; }
            """;

    private static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pushrelay-side-by-side");
        Path html = Files.createDirectories(dir.resolve("html"));
        Files.writeString(html.resolve("f.txt"), "hello\n");
        Files.writeString(html.resolve("404.html"), "NOTFOUND\n");
        Files.writeString(html.resolve("empty.gif"), "EMPTY\n");
        Files.writeString(html.resolve("page.html"), "PAGE\n");
        Files.createDirectories(html.resolve("images"));
        Files.writeString(html.resolve("images/default.gif"), "GIF\n");
        Files.createDirectories(html.resolve("t/d"));
        Files.writeString(html.resolve("t/d/index.html"), "TIDX\n");
        Files.writeString(html.resolve("t/p.html"), "TP\n");
        Files.writeString(dir.resolve("htpasswd"), "plain:{PLAIN}s3cret\napr1:$apr1$abcdefgh$M2T3erDstkD7SsE2QQnfH0\n");
        // nginx's workers run as nobody when the tests run as root: everything world-readable
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        String server = SERVER.formatted(dir);
        servers = SideBySide.start("nginx-side-by-side", dir, server,
                who -> "");
    }

    @AfterAll
    static void stop() throws IOException {
        if (servers != null) servers.close();
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void s8_9_to_s8_11_the_same_answers_as_nginx() throws IOException {
        List<String[]> requests = new ArrayList<>();
        for (String target : new String[] {"/a/z?k=1", "/q/z?k=1", "/n/z?k=1", "/n/z", "/loop", "/rewrite/pub/foo",
                "/r1/p?k=1", "/r2/p?k=1", "/r3?k=1", "/brk", "/if?a=0", "/if?a=1", "/auth", "/any", "/all", "/le",
                "/ea/x", "/eb/x", "/ec/x", "/ed/x", "/images/none.png", "/images/default.gif", "/t/d", "/t/p",
                "/t/none", "/page.html", "/page", "/zz?q=1", "/f.txt"}) {
            requests.add(new String[] {"GET", target});
        }
        requests.add(new String[] {"GET", "/if", "X: V12"});
        requests.add(new String[] {"POST", "/if"});
        requests.add(new String[] {"POST", "/ec/x"});
        requests.add(new String[] {"POST", "/le"});
        requests.add(new String[] {"HEAD", "/le"});
        requests.add(new String[] {"GET", "/auth", basic("plain", "s3cret")});
        requests.add(new String[] {"GET", "/auth", basic("apr1", "s3cret")});
        requests.add(new String[] {"GET", "/auth", basic("plain", "wrong")});
        requests.add(new String[] {"GET", "/auth", basic("nobody", "s3cret")});
        requests.add(new String[] {"GET", "/any", basic("plain", "s3cret")});
        requests.add(new String[] {"GET", "/all", basic("plain", "s3cret")});
        for (String[] r : requests) {
            String[] headers = java.util.Arrays.copyOfRange(r, 2, r.length);
            byte[] body = r[0].equals("POST") ? "x".getBytes(StandardCharsets.US_ASCII) : null;
            String what = String.join(" ", r);
            RawResponse expected = send(servers.nginxPort(), r[0], r[1], body, headers);
            RawResponse actual = send(servers.pushrelayPort(), r[0], r[1], body, headers);
            assertEquals(expected.statusLine(), actual.statusLine(), what);
            assertEquals(expected.header("Content-Type"), actual.header("Content-Type"), what);
            assertEquals(port(expected.header("Location")), port(actual.header("Location")), what);
            assertEquals(expected.header("WWW-Authenticate"), actual.header("WWW-Authenticate"), what);
            assertEquals(expected.text(), actual.text(), what);
        }
    }

    private static RawResponse send(int port, String method, String target, byte[] body, String... headers)
            throws IOException {
        String request = RawHttp.request(method, target, body, headers).replace("Host: localhost\r\n",
                "Host: localhost:" + port + "\r\n");
        try (RawHttp c = new RawHttp(port)) {
            c.send(request);
            return method.equals("HEAD") ? c.readHead() : c.read();
        }
    }

    private static String port(String location) {
        return location == null ? null : location.replaceFirst("^http://localhost:\\d+", "http://localhost:PORT");
    }
}
