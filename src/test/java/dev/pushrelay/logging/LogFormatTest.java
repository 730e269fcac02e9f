package dev.pushrelay.logging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogFormatTest {

    static LogVariables vars(Map<String, String> m) {
        return m::get;
    }

    @Test
    void combined_writes_dashes_for_missing_values() {
        String line = LogFormat.COMBINED.render(vars(Map.of("remote_addr", "127.0.0.1", "time_local",
                "21/Sep/2026:14:13:20 +0000", "request", "GET /sub?id=a HTTP/1.1", "status", "200",
                "body_bytes_sent", "2")));
        assertEquals("127.0.0.1 - - [21/Sep/2026:14:13:20 +0000] \"GET /sub?id=a HTTP/1.1\" 200 2 \"-\" \"-\"", line);
    }

    @Test
    void default_escaping_is_nginx_hex_for_quotes_backslashes_and_non_printables() {
        LogFormat f = LogFormat.compile("x", "[$http_user_agent]", LogFormat.Escape.DEFAULT);
        assertEquals("[a\\x22b\\x5Cc\\x0Ad\\xC3\\xA9]", f.render(vars(Map.of("http_user_agent", "a\"b\\c\nd\u00c3\u00a9"))));
    }

    @Test
    void json_and_none_escaping() {
        LogFormat json = LogFormat.compile("j", "{\"ua\":\"$http_user_agent\",\"ref\":\"$http_referer\"}", LogFormat.Escape.JSON);
        assertEquals("{\"ua\":\"a\\\"b\\\\c\\n\\u0001\",\"ref\":\"\"}", json.render(vars(Map.of("http_user_agent", "a\"b\\c\n\u0001"))));
        LogFormat none = LogFormat.compile("n", "$http_x_raw", LogFormat.Escape.NONE);
        assertEquals("a\"b", none.render(vars(Map.of("http_x_raw", "a\"b"))));
    }

    @Test
    void braces_and_adjacent_text() {
        LogFormat f = LogFormat.compile("b", "${status}ms $request_time;", LogFormat.Escape.DEFAULT);
        assertEquals("304ms 1.001;", f.render(vars(Map.of("status", "304", "request_time", "1.001"))));
    }

    @Test
    void unknown_variables_and_bad_syntax_are_refused() {
        assertEquals("unknown \"foo\" variable",
                assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("x", "$foo", LogFormat.Escape.DEFAULT)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("x", "${status", LogFormat.Escape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("x", "a $ b", LogFormat.Escape.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("x", "$http_", LogFormat.Escape.DEFAULT));
    }
}
