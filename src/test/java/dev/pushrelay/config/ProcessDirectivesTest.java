package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** pid, pushrelay_state_path and pushrelay_shutdown_window (README "Operating pushrelay"). */
class ProcessDirectivesTest {

    static final Path FILE = Path.of("/etc/pushrelay/pushrelay.conf");
    static final String LOC = "location /p { set $push_channel_id $arg_id; push_publisher; }\n";

    static ProcessSettings process(String text) throws ConfException {
        return ConfLoader.parse(text, FILE).process();
    }

    static String error(String text) {
        return assertThrows(ConfException.class, () -> ConfLoader.parse(text, FILE)).getMessage();
    }

    @Test
    void defaults_pid_next_to_the_configuration_no_state_one_second_window() throws ConfException {
        ProcessSettings p = process(LOC);
        assertEquals(Path.of("/etc/pushrelay/pushrelay.pid"), p.pidFile());
        assertNull(p.statePath());
        assertEquals(1000, p.shutdownWindowMillis());
    }

    @Test
    void relative_paths_resolve_against_the_configuration_directory() throws ConfException {
        ProcessSettings p = process("pid run/p.pid;\npushrelay_state_path ../state/push.state;\n" + LOC);
        assertEquals(Path.of("/etc/pushrelay/run/p.pid"), p.pidFile());
        assertEquals(Path.of("/etc/state/push.state"), p.statePath());
        assertEquals(Path.of("/run/pushrelay.pid"), process("pid /run/pushrelay.pid;\n" + LOC).pidFile());
    }

    @Test
    void window_takes_seconds_or_milliseconds() throws ConfException {
        assertEquals(2000, process("pushrelay_shutdown_window 2s;\n" + LOC).shutdownWindowMillis());
        assertEquals(2000, process("pushrelay_shutdown_window 2;\n" + LOC).shutdownWindowMillis());
        assertEquals(250, process("pushrelay_shutdown_window 250ms;\n" + LOC).shutdownWindowMillis());
        assertEquals(0, process("pushrelay_shutdown_window 0;\n" + LOC).shutdownWindowMillis());
        assertEquals("/etc/pushrelay/pushrelay.conf:1: pushrelay_shutdown_window: invalid value \"soon\"",
                error("pushrelay_shutdown_window soon;\n" + LOC));
    }

    @Test
    void worker_processes_sets_the_io_threads_auto_by_default() throws ConfException {
        assertEquals(0, process(LOC).ioThreads());
        assertEquals(Runtime.getRuntime().availableProcessors(), process(LOC).ioThreadCount());
        assertEquals(0, process("worker_processes auto;\n" + LOC).ioThreads());
        assertEquals(3, process("worker_processes 3;\n" + LOC).ioThreads());
        assertEquals(3, process("worker_processes 3;\n" + LOC).ioThreadCount());
        assertEquals("/etc/pushrelay/pushrelay.conf:1: worker_processes: invalid value \"0\"",
                error("worker_processes 0;\n" + LOC));
        assertEquals("/etc/pushrelay/pushrelay.conf:1: worker_processes: invalid value \"many\"",
                error("worker_processes many;\n" + LOC));
    }

    @Test
    void main_context_of_a_full_nginx_conf_and_window_also_in_http() throws ConfException {
        ProcessSettings p = process("""
                pid /var/run/pr.pid;
                pushrelay_state_path /var/lib/pushrelay/state;
                events { }
                http {
                    pushrelay_shutdown_window 500ms;
                    server { listen 127.0.0.1:8080; %s }
                }
                """.formatted(LOC));
        assertEquals(Path.of("/var/run/pr.pid"), p.pidFile());
        assertEquals(Path.of("/var/lib/pushrelay/state"), p.statePath());
        assertEquals(500, p.shutdownWindowMillis());
    }

    @Test
    void top_level_of_a_server_list_file() throws ConfException {
        ProcessSettings p = process("pid p.pid;\nserver { listen 127.0.0.1:8080; " + LOC + "}\n");
        assertEquals(Path.of("/etc/pushrelay/p.pid"), p.pidFile());
    }

    @Test
    void not_inside_blocks_and_not_twice() {
        assertEquals("/etc/pushrelay/pushrelay.conf:2: pid: \"pid\" directive is not allowed here",
                error("events { }\nhttp { pid x; }\n"));
        assertEquals("/etc/pushrelay/pushrelay.conf:1: pushrelay_state_path: \"pushrelay_state_path\" directive is not allowed here",
                error("location /p { pushrelay_state_path x; set $push_channel_id $arg_id; push_publisher; }\n"));
        assertEquals("/etc/pushrelay/pushrelay.conf:1: pushrelay_state_path: \"pushrelay_state_path\" directive is not allowed here",
                error("server { pushrelay_state_path x; }\n"));
        assertEquals("/etc/pushrelay/pushrelay.conf:2: pid: \"pid\" directive is duplicate",
                error("pid a;\npid b;\n" + LOC));
        assertEquals("/etc/pushrelay/pushrelay.conf:1: pid: invalid number of arguments in \"pid\" directive",
                error("pid;\n" + LOC));
    }
}
