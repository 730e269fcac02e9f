package dev.pushrelay.it;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.server.ListenFlag;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * protocol.md §8.10, the access phase over HTTP: the auth_basic, limit_except and satisfy
 * examples of nginx's documentation, every htpasswd format nginx reads, and nginx 1.22's
 * answers (checked on loopback) for wrong passwords and missing or unreadable files.
 */
class AccessIT {

    /** Every format, password "s3cret" (made with openssl passwd and Python's crypt on glibc). */
    static final String HTPASSWD = """
            # comment
            plain:{PLAIN}s3cret
            sha:{SHA}/vNB+F2HQ559kaLUZbmHHvZrXpg=
            ssha:{SSHA}/E1l+cHA9/sxcS5MD8umnjm1FX9zYWx0c2FsdA==
            apr1:$apr1$abcdefgh$M2T3erDstkD7SsE2QQnfH0
            md5:$1$abcdefgh$7.vq19w/w3Vm.hk1FOA7Q/
            sha256:$5$saltstring$9QqUIsp6bPD8uX5rHa8zB21q7JTr9i41vD3jA8fwv68
            sha512:$6$saltstring$xwVXmdoFwkuFfkvrCnFqepsb1G.0z7.VoLCq69.god.O.zXvYSQsLM/oDMuI05ufmibO/tzUYEh4IPt9kZAc0.
            sha512r:$6$rounds=5000$saltstring$xwVXmdoFwkuFfkvrCnFqepsb1G.0z7.VoLCq69.god.O.zXvYSQsLM/oDMuI05ufmibO/tzUYEh4IPt9kZAc0.
            bcrypt:$2y$05$abcdefghijklmnopqrstuuLK7U1u6pVRmL7L1BBM2aS35PSZnDXlK
            bcryptb:$2b$05$abcdefghijklmnopqrstuuLK7U1u6pVRmL7L1BBM2aS35PSZnDXlK
            des:abhWCwoTZY2c6
            comment:{PLAIN}other:a trailing comment field
            """;

    static final String PAGE_401 = "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
            + "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";

    @TempDir
    Path dir;

    static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    private Path users() throws IOException {
        return Files.writeString(dir.resolve("htpasswd"), HTPASSWD);
    }

    /** ngx_http_auth_basic_module's example: location / { auth_basic "closed site"; auth_basic_user_file conf/htpasswd; } */
    @Test
    void s8_10_auth_basic_example_every_format_and_wrong_passwords() throws IOException {
        try (TestServer server = TestServer.start("""
                location / {
                    auth_basic           "closed site";
                    auth_basic_user_file %s;
                    return 200 "never before access";
                }
                location /f {
                    auth_basic           "closed site";
                    auth_basic_user_file %s;
                    alias %s;
                }
                """.formatted(users(), users(), Files.writeString(dir.resolve("f.txt"), "hello\n")))) {
            for (String user : new String[] {"plain", "sha", "ssha", "apr1", "md5", "sha256", "sha512", "sha512r",
                    "bcrypt", "bcryptb", "des"}) {
                RawResponse ok = server.send(get("/f", basic(user, "s3cret")));
                assertEquals(200, ok.status(), user);
                assertEquals("hello\n", ok.text(), user);
                assertEquals(401, server.send(get("/f", basic(user, "s3creT"))).status(), user + ": wrong password");
            }
            assertEquals(200, server.send(get("/f", basic("comment", "other"))).status(), "fields after the hash are ignored");
            RawResponse none = server.send(get("/f"));
            assertEquals(401, none.status());
            assertEquals("Unauthorized", none.reason());
            assertEquals("Basic realm=\"closed site\"", none.header("WWW-Authenticate"));
            assertEquals("text/html", none.header("Content-Type"));
            assertEquals(PAGE_401, none.text());
            assertEquals(Integer.toString(PAGE_401.length()), none.header("Content-Length"));
            assertEquals(401, server.send(get("/f", basic("nobody", "s3cret"))).status(), "unknown user");
            assertEquals(401, server.send(get("/f", "Authorization: Basic !!!")).status(), "not base64");
            assertEquals(401, server.send(get("/f", "Authorization: Bearer x")).status(), "not Basic");
            RawResponse early = server.send(get("/", basic("plain", "x")));
            assertEquals(200, early.status(), "return runs in the rewrite phase, before access, as in nginx");
            assertEquals("never before access", early.text());
        }
    }

    /** A refused publisher publishes, creates and counts nothing. */
    @Test
    void s8_10_a_refused_publisher_changes_nothing() throws IOException {
        try (TestServer server = TestServer.start("""
                location /pub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    auth_basic "publishers";
                    auth_basic_user_file %s;
                }
                location /open { set $push_channel_id $arg_id; push_publisher; }
                """.formatted(users()))) {
            RawResponse refused = server.send(post("/pub?id=a", "x"));
            assertEquals(401, refused.status());
            assertEquals("Basic realm=\"publishers\"", refused.header("WWW-Authenticate"));
            assertEquals(401, server.send(post("/pub?id=a", "x", basic("plain", "no"))).status());
            assertEquals(404, server.send(get("/open?id=a")).status(), "the channel was not created");
            assertEquals(202, server.send(post("/pub?id=a", "x", basic("plain", "s3cret"))).status());
            assertEquals(200, server.send(get("/open?id=a")).status());
        }
    }

    /** ngx_http_core_module's limit_except example, and auth_basic inside limit_except. */
    @Test
    void s8_10_limit_except_example() throws IOException {
        try (TestServer server = TestServer.start("""
                location /ro {
                    limit_except GET {
                        allow 192.168.1.0/32;
                        deny  all;
                    }
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                location /pw {
                    limit_except GET { auth_basic "writers"; auth_basic_user_file %s; }
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                """.formatted(users()))) {
            RawResponse denied = server.send(post("/ro?id=a", "x"));
            assertEquals(403, denied.status());
            assertEquals("text/html", denied.header("Content-Type"));
            assertEquals(403, server.send(request("DELETE", "/ro?id=a", null)).status());
            assertEquals(404, server.send(get("/ro?id=a")).status(), "GET passes: no such channel");
            assertEquals(405, server.send(request("HEAD", "/ro?id=a", null)).status(),
                    "GET lets HEAD through access; the publisher itself refuses HEAD");
            assertEquals(401, server.send(post("/pw?id=b", "x")).status());
            assertEquals(202, server.send(post("/pw?id=b", "x", basic("sha512", "s3cret"))).status());
            RawResponse read = server.send(get("/pw?id=b"));
            assertEquals(200, read.status(), "GET needs no password");
            assertNull(read.header("WWW-Authenticate"));
        }
    }

    /** ngx_http_core_module's satisfy example: any of the address or the password; all needs both, 403 first. */
    @Test
    void s8_10_satisfy_any_and_all() throws IOException {
        Path f = Files.writeString(dir.resolve("f.txt"), "F");
        try (TestServer server = TestServer.start("""
                location /any {
                    satisfy any;
                    allow 192.168.1.0/32;
                    deny  all;
                    auth_basic           "closed site";
                    auth_basic_user_file %s;
                    alias %s;
                }
                location /anylocal { satisfy any; allow 127.0.0.1; deny all; auth_basic "x"; auth_basic_user_file %s; alias %s; }
                location /all { deny all; auth_basic "x"; auth_basic_user_file %s; alias %s; }
                location /off { auth_basic "x"; auth_basic_user_file %s; location /off/in { auth_basic off; alias %s; } }
                """.formatted(users(), f, users(), f, users(), f, users(), f))) {
            RawResponse any = server.send(get("/any"));
            assertEquals(401, any.status(), "denied by address and no password: 401 wins");
            assertEquals("Basic realm=\"closed site\"", any.header("WWW-Authenticate"));
            assertEquals("F", server.send(get("/any", basic("apr1", "s3cret"))).text());
            assertEquals("F", server.send(get("/anylocal")).text(), "the address is enough");
            assertEquals(403, server.send(get("/all", basic("apr1", "s3cret"))).status(), "deny runs before auth_basic");
            assertEquals("F", server.send(get("/off/in")).text(), "auth_basic off in a nested location");
        }
    }

    /** nginx answers 403 for a missing user file and 500 for one it cannot read, each with an error-log line. */
    @Test
    void s8_10_missing_or_unreadable_user_files() throws IOException {
        Path f = Files.writeString(dir.resolve("f.txt"), "F");
        Files.createDirectories(dir.resolve("adir"));
        try (TestServer server = TestServer.start("""
                location /missing { auth_basic "x"; auth_basic_user_file %s; alias %s; }
                location /dir { auth_basic "x"; auth_basic_user_file %s; alias %s; }
                """.formatted(dir.resolve("nope"), f, dir.resolve("adir"), f))) {
            assertEquals(401, server.send(get("/missing")).status(), "no credentials: 401 before the file is needed");
            assertEquals(403, server.send(get("/missing", basic("plain", "s3cret"))).status());
            RawResponse unreadable = server.send(get("/dir", basic("plain", "s3cret")));
            assertEquals(500, unreadable.status());
            assertEquals("text/html", unreadable.header("Content-Type"));
        }
    }

    /** The user file is read at start and again on reload. */
    @Test
    void s8_10_user_file_is_read_again_on_reload() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), "ann:{PLAIN}one\n");
        Path f = Files.writeString(dir.resolve("f.txt"), "F");
        String conf = "location /f { auth_basic \"x\"; auth_basic_user_file %s; alias %s; }".formatted(users, f);
        try (TestServer server = TestServer.start(conf)) {
            assertEquals(200, server.send(get("/f", basic("ann", "one"))).status());
            Files.writeString(users, "ann:{PLAIN}two\n");
            assertEquals(200, server.send(get("/f", basic("ann", "one"))).status(), "read at start, not per request");
            Path file = Files.writeString(dir.resolve("reload.conf"), conf);
            server.server().reload(ListenFlag.apply(ConfLoader.load(file), new ListenAddress("127.0.0.1", 0, false)));
            assertEquals(401, server.send(get("/f", basic("ann", "one"))).status());
            assertEquals(200, server.send(get("/f", basic("ann", "two"))).status());
        }
    }
}
