package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A value with nginx variable interpolation ({@code ngx_http_script_compile}), compiled
 * once at load: literal text, {@code $name} / {@code ${name}} (name = letters, digits,
 * '_'), and {@code $1}…{@code $9} (regex captures; one digit only, so {@code $12} is
 * capture 1 then "2"). Evaluating it for a request (routing's RequestVariables) does no parsing.
 */
public final class ValueTemplate {

    /** Built-in variables (not settable); {@code arg_}, {@code http_}, {@code cookie_} are prefixes. */
    public enum Kind { LITERAL, CAPTURE, USER, ARG, HTTP, COOKIE, URI, REQUEST_URI, ARGS, IS_ARGS, HOST, REMOTE_ADDR,
        SERVER_ADDR, SERVER_PORT, SERVER_NAME, CONTENT_TYPE, CONTENT_LENGTH, REQUEST_METHOD, SCHEME,
        REQUEST_FILENAME, DOCUMENT_ROOT, SERVER_PROTOCOL, REMOTE_USER, HTTPS }

    static final Set<String> BUILTIN = Set.of("uri", "document_uri", "request_uri", "args", "query_string",
            "is_args", "host", "remote_addr", "server_addr", "server_port", "server_name", "content_type",
            "content_length", "request_method", "scheme", "request_filename", "document_root",
            "server_protocol", "remote_user", "https");

    /** @param text literal text, capture number as text, or the variable's lookup key */
    public record Part(Kind kind, String text, int capture) {
    }

    private final String source;
    private final List<Part> parts;

    private ValueTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    public String source() {
        return source;
    }

    public List<Part> parts() {
        return parts;
    }

    /** The names of user variables ({@code set} or named captures) this value reads. */
    List<String> userVariables() {
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            if (p.kind == Kind.USER) {
                out.add(p.text);
            }
        }
        return out;
    }

    /** @throws ConfException via {@code node} for nginx's compile errors */
    public static ValueTemplate compile(String s, ConfNode node) throws ConfException {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            if (++i == s.length()) {
                throw node.error("invalid variable name \"" + s.substring(i - 1) + "\"");
            }
            if (lit.length() > 0) {
                parts.add(new Part(Kind.LITERAL, lit.toString(), 0));
                lit.setLength(0);
            }
            char d = s.charAt(i);
            if (d >= '1' && d <= '9') {
                parts.add(new Part(Kind.CAPTURE, String.valueOf(d), d - '0'));
                i++;
                continue;
            }
            boolean bracket = d == '{';
            if (bracket && ++i == s.length()) {
                throw node.error("invalid variable name \"" + s.substring(i - 2) + "\"");
            }
            int start = i;
            int end = -1;
            for (; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '}' && bracket) {
                    end = i;
                    i++;
                    bracket = false;
                    break;
                }
                if (Character.isLetterOrDigit(ch) && ch < 128 || ch == '_') {
                    continue;
                }
                break;
            }
            if (end < 0) {
                end = i;
            }
            if (bracket) {
                throw node.error("the closing bracket in \"" + s.substring(start, end) + "\" variable is missing");
            }
            String name = s.substring(start, end);
            if (name.isEmpty()) {
                throw node.error("invalid variable name \"" + s.substring(start - 1) + "\"");
            }
            parts.add(variable(name));
        }
        if (lit.length() > 0) {
            parts.add(new Part(Kind.LITERAL, lit.toString(), 0));
        }
        return new ValueTemplate(s, parts);
    }

    /** nginx variable names are case-insensitive (ngx_hash_strlow); user names are kept lowercased. */
    private static Part variable(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("arg_")) {
            return new Part(Kind.ARG, n.substring(4), 0);
        }
        if (n.startsWith("http_")) {
            return new Part(Kind.HTTP, n.substring(5).replace('_', '-'), 0);
        }
        if (n.startsWith("cookie_")) {
            return new Part(Kind.COOKIE, n.substring(7), 0);
        }
        switch (n) {
            case "uri", "document_uri" -> {
                return new Part(Kind.URI, n, 0);
            }
            case "request_uri" -> {
                return new Part(Kind.REQUEST_URI, n, 0);
            }
            case "args", "query_string" -> {
                return new Part(Kind.ARGS, n, 0);
            }
            case "is_args" -> {
                return new Part(Kind.IS_ARGS, n, 0);
            }
            case "host" -> {
                return new Part(Kind.HOST, n, 0);
            }
            case "remote_addr" -> {
                return new Part(Kind.REMOTE_ADDR, n, 0);
            }
            case "server_addr" -> {
                return new Part(Kind.SERVER_ADDR, n, 0);
            }
            case "server_port" -> {
                return new Part(Kind.SERVER_PORT, n, 0);
            }
            case "server_name" -> {
                return new Part(Kind.SERVER_NAME, n, 0);
            }
            case "content_type" -> {
                return new Part(Kind.CONTENT_TYPE, n, 0);
            }
            case "content_length" -> {
                return new Part(Kind.CONTENT_LENGTH, n, 0);
            }
            case "request_method" -> {
                return new Part(Kind.REQUEST_METHOD, n, 0);
            }
            case "scheme" -> {
                return new Part(Kind.SCHEME, n, 0);
            }
            case "request_filename" -> {
                return new Part(Kind.REQUEST_FILENAME, n, 0);
            }
            case "document_root" -> {
                return new Part(Kind.DOCUMENT_ROOT, n, 0);
            }
            case "server_protocol" -> {
                return new Part(Kind.SERVER_PROTOCOL, n, 0);
            }
            case "remote_user" -> {
                return new Part(Kind.REMOTE_USER, n, 0);
            }
            case "https" -> {
                return new Part(Kind.HTTPS, n, 0);
            }
            default -> {
                return new Part(Kind.USER, n, 0);
            }
        }
    }

    /** True when {@code name} (without '$') is a built-in or prefixed nginx variable that {@code set} cannot define. */
    static boolean isBuiltin(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BUILTIN.contains(n) || n.startsWith("arg_") || n.startsWith("http_") || n.startsWith("cookie_");
    }

    @Override
    public String toString() {
        return source;
    }
}
