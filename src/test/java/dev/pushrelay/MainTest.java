package dev.pushrelay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: -t like nginx -t, exit codes, help and version. */
class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void test_config_accepts_the_shipped_configuration() {
        assertEquals(0, run("-t", "-c", "conf/pushrelay.conf"), err.toString());
        assertEquals("pushrelay: the configuration file conf/pushrelay.conf syntax is ok\n"
                + "pushrelay: configuration file conf/pushrelay.conf test is successful\n", out.toString());
    }

    @Test
    void test_config_reports_file_line_and_directive(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "location /p {\n    push_publisher;\n    push_subscriber_concurrency all;\n}\n");
        assertEquals(1, run("--test-config", "--config", conf.toString()));
        String e = err.toString();
        assertTrue(e.contains(conf + ":3"), e);
        assertTrue(e.contains("push_subscriber_concurrency"), e);
        assertTrue(e.endsWith("test failed\n"), e);
    }

    @Test
    void missing_file_is_a_configuration_error(@TempDir Path dir) {
        assertEquals(1, run("-t", "-c", dir.resolve("none.conf").toString()));
        assertTrue(err.toString().contains("none.conf"), err.toString());
    }

    @Test
    void bad_listen_is_refused() {
        assertEquals(1, run("-t", "--listen", "127.0.0.1:http"));
        assertTrue(err.toString().contains("invalid port"), err.toString());
    }

    @Test
    void help_and_version() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("--test-config"));
        assertTrue(out.toString().contains("--listen"));
        assertEquals(0, run("--version"));
        assertTrue(out.toString().contains("pushrelay"));
    }

    /** Issue 3: the full nginx.conf passes -t, and every ignored directive is listed once on stderr. */
    @Test
    void test_config_accepts_a_full_nginx_conf_and_lists_ignored_directives_once() {
        String conf = "src/test/resources/conf/nginx.conf";
        assertEquals(0, run("-t", "-c", conf), err.toString());
        assertEquals("pushrelay: the configuration file " + conf + " syntax is ok\n"
                + "pushrelay: configuration file " + conf + " test is successful\n", out.toString());
        java.util.List<String> notices = err.toString().lines().toList();
        assertTrue(notices.contains("pushrelay: [notice] ignored (no effect on push behaviour): "
                + "src/test/resources/conf/nginx.conf:2: user"), err.toString());
        assertEquals(notices.size(), notices.stream().distinct().count(), "each listed once");
        for (String n : notices) {
            assertTrue(n.startsWith("pushrelay: [notice] ignored (no effect on push behaviour): src/test/resources/conf/"), n);
        }
        assertTrue(notices.contains("pushrelay: [notice] ignored (no effect on push behaviour): "
                + "src/test/resources/conf/nginx.conf:16: sendfile"), err.toString());
    }
}
