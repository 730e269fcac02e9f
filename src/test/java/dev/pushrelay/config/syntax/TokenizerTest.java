package dev.pushrelay.config.syntax;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {

    private static List<ConfNode> parse(String text) throws ConfException {
        return new ConfParser(new ArrayList<>()).parseText(text, Path.of("t.conf"));
    }

    @Test
    void directives_blocks_comments_and_lines() throws ConfException {
        List<ConfNode> nodes = parse("# comment\nworker_processes 2; # trailing\n\nhttp {\n  server {\n  }\n}\n");
        assertEquals(2, nodes.size());
        assertEquals("worker_processes", nodes.get(0).name());
        assertEquals(List.of("2"), nodes.get(0).args());
        assertEquals(2, nodes.get(0).line());
        ConfNode http = nodes.get(1);
        assertTrue(http.isBlock());
        assertEquals(4, http.line());
        assertEquals("t.conf:5", http.children().get(0).where());
    }

    @Test
    void quotes_and_escapes_as_nginx() throws ConfException {
        ConfNode n = parse("add_header X \"a b;{}\\\"c\" 'd\\'e';\nset $x a\\ b;\nset $y a#b;\nset $z \"t\\tn\\w\";")
                .get(0);
        assertEquals(List.of("X", "a b;{}\"c", "d'e"), n.args());
        List<ConfNode> all = parse("set $x a\\ b;\nset $y a#b;\nset $z \"t\\tn\\w\";");
        assertEquals("a\\ b", all.get(0).arg(1)); // nginx keeps a backslash it does not know
        assertEquals("a#b", all.get(1).arg(1));
        assertEquals("t\tn\\w", all.get(2).arg(1));
    }

    @Test
    void dollar_brace_does_not_open_a_block() throws ConfException {
        ConfNode n = parse("set $a ${b}c;").get(0);
        assertEquals(List.of("$a", "${b}c"), n.args());
    }

    @Test
    void multi_line_directive_reports_line_of_its_semicolon() throws ConfException {
        ConfNode n = parse("set $a\n  \"x\ny\"\n  ;").get(0);
        assertEquals(4, n.line());
        assertEquals("x\ny", n.arg(1));
    }

    @Test
    void syntax_errors_name_file_and_line() {
        assertEquals("t.conf:3: unexpected \"}\"",
                assertThrows(ConfException.class, () -> parse("a;\nb;\n}\n")).getMessage());
        assertEquals("t.conf:2: unexpected end of file, expecting \"}\"",
                assertThrows(ConfException.class, () -> parse("http {\n")).getMessage());
        assertEquals("t.conf:1: unexpected end of file, expecting \";\" or \"}\"",
                assertThrows(ConfException.class, () -> parse("push_publisher")).getMessage());
        assertEquals("t.conf:1: unexpected \";\"",
                assertThrows(ConfException.class, () -> parse(";")).getMessage());
        assertEquals("t.conf:2: unexpected \"}\"",
                assertThrows(ConfException.class, () -> parse("http {\n a }")).getMessage());
        assertEquals("t.conf:1: unexpected \"x\"",
                assertThrows(ConfException.class, () -> parse("a \"b\"x;")).getMessage());
    }
}
