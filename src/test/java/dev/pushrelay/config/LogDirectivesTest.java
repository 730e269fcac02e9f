package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.logging.ErrorLogTarget;
import dev.pushrelay.logging.LogLevel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** access_log, log_format, error_log, pushrelay_metrics, pushrelay_status (README "Operating pushrelay"). */
class LogDirectivesTest {

    static final Path DIR = ConfLoaderTest.FILE.toAbsolutePath().getParent();

    static LocationSettings loc(Settings s, int server, int i) {
        return s.servers().get(server).locations().get(i);
    }

    @Test
    void access_log_inherits_from_the_innermost_level_that_sets_one_and_off_stops_it() throws ConfException {
        Settings s = parse("""
                http {
                    log_format short '$request $status';
                    access_log logs/all.log;
                    server {
                        location /a { }
                        location /b { access_log b.log short; access_log stderr; }
                        location /c { access_log off; }
                    }
                    server {
                        listen 8081;
                        access_log /var/log/other.log short buffer=32k flush=5s;
                        location /d { }
                    }
                }
                """);
        LocationSettings a = loc(s, 0, 0);
        assertEquals(1, a.accessLogs().size());
        assertEquals(DIR.resolve("logs/all.log"), a.accessLogs().get(0).file());
        assertEquals("combined", a.accessLogs().get(0).format().name());
        LocationSettings b = loc(s, 0, 1);
        assertEquals(2, b.accessLogs().size());
        assertEquals(DIR.resolve("b.log"), b.accessLogs().get(0).file());
        assertEquals("short", b.accessLogs().get(0).format().name());
        assertNull(b.accessLogs().get(1).file(), "stderr");
        assertEquals(List.of(), loc(s, 0, 2).accessLogs());
        assertEquals(Path.of("/var/log/other.log"), loc(s, 1, 0).accessLogs().get(0).file());
        assertEquals(Path.of("/var/log/other.log"), s.servers().get(1).serverLevel().accessLogs().get(0).file());
    }

    @Test
    void no_access_log_by_default() throws ConfException {
        assertEquals(List.of(), ConfLoaderTest.only(parse("location / { }")).accessLogs());
    }

    @Test
    void a_log_format_may_follow_the_access_log_that_uses_it() throws ConfException {
        Settings s = parse("""
                http {
                    access_log a.log late;
                    log_format late escape=json '{"s":"$status",' '"u":"$uri"}';
                    server { location / { } }
                }
                """);
        assertEquals("late", loc(s, 0, 0).accessLogs().get(0).format().name());
    }

    @Test
    void errors_name_file_line_and_directive() {
        String f = ConfLoaderTest.FILE.toString();
        assertEquals(f + ":2: access_log: unknown log format \"nope\"", error("""
                location / {
                    access_log a.log nope;
                }
                """));
        assertEquals(f + ":1: log_format: unknown \"no_such_thing\" variable", error("log_format x '$status $no_such_thing';"));
        assertEquals(f + ":2: log_format: duplicate \"log_format\" name \"x\"", error("log_format x '$status';\nlog_format x '$uri';"));
        assertEquals(f + ":1: log_format: duplicate \"log_format\" name \"combined\"", error("log_format combined '$status';"));
        assertEquals(f + ":1: log_format: unknown log format escaping \"xml\"", error("log_format x escape=xml '$status';"));
        assertTrue(error("location / { log_format x '$status'; }").startsWith(f + ":1: log_format: \"log_format\" directive is not allowed here"));
        assertEquals(f + ":1: access_log: invalid parameter \"x\"", error("access_log off x;"));
        assertEquals(f + ":1: access_log: parameter \"gzip\" is not supported by pushrelay", error("access_log a.log combined gzip;"));
        assertEquals(f + ":1: error_log: invalid log level \"loud\"", error("error_log e.log loud;"));
        assertTrue(error("error_log syslog:server=x;").startsWith(f + ":1: error_log: \"syslog:server=x\" is not supported"));
        assertTrue(error("location / { pushrelay_metrics on; }").startsWith(f + ":1: pushrelay_metrics: invalid number of arguments"));
    }

    @Test
    void error_log_is_global_main_and_http_levels_are_used() throws ConfException {
        Settings s = parse("""
                error_log main.log warn;
                events { }
                http {
                    error_log stderr;
                    server {
                        error_log srv.log debug;
                        location / { error_log loc.log; }
                    }
                }
                """);
        assertEquals(List.of(new ErrorLogTarget(DIR.resolve("main.log"), LogLevel.WARN),
                new ErrorLogTarget(null, LogLevel.ERROR)), s.errorLogs());
        assertEquals(2, s.ignored().stream().filter(i -> i.contains("error_log (the error log is global")).count(),
                s.ignored().toString());
    }

    @Test
    void metrics_and_status_are_endpoints_behind_allow_and_deny() throws ConfException {
        Settings s = parse("""
                location = /metrics {
                    pushrelay_metrics;
                    allow 127.0.0.1;
                    deny all;
                }
                location /status { pushrelay_status; }
                """);
        LocationSettings metrics = loc(s, 0, 0);
        assertEquals(Endpoint.METRICS, metrics.endpoint());
        assertTrue(metrics.access().allows("127.0.0.1"));
        assertTrue(!metrics.access().allows("192.0.2.7"));
        assertEquals(Endpoint.STATUS, loc(s, 0, 1).endpoint());
    }
}
