package dev.pushrelay.config.syntax;

import dev.pushrelay.config.syntax.ConfException;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits nginx configuration text into statements exactly as nginx's
 * {@code ngx_conf_read_token} does: words end at whitespace, {@code ;} or {@code {};
 * {@code #} starts a comment only at the start of a word; {@code "..."} and
 * {@code '...'} quote; a backslash protects the next character, and {@code \" \' \\ \t
 * \r \n} are unescaped in every word; {@code ${name}} does not open a block.
 * Not thread-safe; one instance per file.
 */
final class Tokenizer {

    /** How a statement ended. */
    enum End { SEMICOLON, BLOCK_START, BLOCK_END, EOF }

    /** The words of one statement (name first) and how and where it ended. */
    record Statement(List<String> words, End end, int line) {
    }

    private final String text;
    private final String file;
    private int pos;
    private int line = 1;

    Tokenizer(String text, String file) {
        this.text = text;
        this.file = file;
    }

    /** Reads the next statement; {@code words} is empty for BLOCK_END and EOF. */
    Statement next() throws ConfException {
        List<String> words = new ArrayList<>();
        while (true) {
            // between words
            if (pos >= text.length()) {
                if (!words.isEmpty()) {
                    throw error("unexpected end of file, expecting \";\" or \"}\"");
                }
                return new Statement(words, End.EOF, line);
            }
            char ch = text.charAt(pos);
            if (ch == '\n') {
                line++;
                pos++;
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\r') {
                pos++;
                continue;
            }
            if (ch == ';' || ch == '{') {
                pos++;
                if (words.isEmpty()) {
                    throw error("unexpected \"" + ch + "\"");
                }
                return new Statement(words, ch == ';' ? End.SEMICOLON : End.BLOCK_START, line);
            }
            if (ch == '}') {
                pos++;
                if (!words.isEmpty()) {
                    throw error("unexpected \"}\"");
                }
                return new Statement(words, End.BLOCK_END, line);
            }
            if (ch == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
                continue;
            }
            words.add(readWord());
        }
    }

    private String readWord() throws ConfException {
        char first = text.charAt(pos);
        boolean dq = first == '"';
        boolean sq = first == '\'';
        int start = dq || sq ? pos + 1 : pos;
        if (dq || sq) {
            pos++;
        }
        boolean variable = false;
        while (true) {
            if (pos >= text.length()) {
                throw error("unexpected end of file, expecting \";\" or \"}\"");
            }
            char ch = text.charAt(pos);
            if (ch == '\n') {
                line++;
            }
            if (ch == '{' && variable) {
                pos++;
                continue;
            }
            variable = false;
            if (ch == '\\') {
                pos += 2;
                if (pos > text.length()) {
                    throw error("unexpected end of file, expecting \";\" or \"}\"");
                }
                if (text.charAt(pos - 1) == '\n') {
                    line++;
                }
                continue;
            }
            if (ch == '$') {
                variable = true;
                pos++;
                continue;
            }
            if (dq || sq) {
                if (ch == (dq ? '"' : '\'')) {
                    String word = unescape(text.substring(start, pos));
                    pos++;
                    needSpace();
                    return word;
                }
                pos++;
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';' || ch == '{') {
                if (ch == '\n') {
                    line--; // counted again by next()
                }
                return unescape(text.substring(start, pos));
            }
            pos++;
        }
    }

    /**
     * After a closing quote nginx requires a space, ';' or '{', or a ')' (which then starts
     * a word of its own: {@code if ($a ~ "x")} ends with the argument ")").
     */
    private void needSpace() throws ConfException {
        if (pos >= text.length()) {
            return;
        }
        char ch = text.charAt(pos);
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';' || ch == '{' || ch == ')') {
            return;
        }
        throw error("unexpected \"" + ch + "\"");
    }

    private static String unescape(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(i + 1);
                switch (n) {
                    case '"', '\'', '\\' -> {
                        sb.append(n);
                        i++;
                        continue;
                    }
                    case 't' -> {
                        sb.append('\t');
                        i++;
                        continue;
                    }
                    case 'r' -> {
                        sb.append('\r');
                        i++;
                        continue;
                    }
                    case 'n' -> {
                        sb.append('\n');
                        i++;
                        continue;
                    }
                    default -> {
                    }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private ConfException error(String reason) {
        return new ConfException(file + ":" + line + ": " + reason);
    }
}
