package dev.pushrelay.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A compiled nginx {@code log_format}: literal text and {@code $variables} (or
 * {@code ${variables}}). Variables are checked when the configuration is read, so a typo
 * fails start-up instead of logging dashes. Values are escaped as nginx does: by default
 * {@code "}, {@code \} and bytes below 0x20 or above 0x7e become {@code \xXX};
 * {@code escape=json} escapes for a JSON string; {@code escape=none} writes values as they are.
 * A missing value is written as {@code -}.
 */
public final class LogFormat {

    /** nginx's predefined format. */
    public static final String COMBINED_TEXT = "$remote_addr - $remote_user [$time_local] \"$request\" $status "
            + "$body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    /** The variables pushrelay can log (besides the prefixed families in {@link #PREFIXES}). */
    public static final Set<String> VARIABLES = Set.of("remote_addr", "remote_port", "remote_user", "time_local",
            "time_iso8601", "msec", "request", "status", "body_bytes_sent", "request_time", "request_method",
            "request_uri", "uri", "document_uri", "args", "query_string", "is_args", "host", "server_protocol",
            "scheme", "server_addr", "server_port", "server_name", "content_type", "content_length", "pid",
            "hostname", "connection_requests", "push_channel_id");

    /** Variable families: request header, response header, query argument, cookie. */
    public static final List<String> PREFIXES = List.of("http_", "sent_http_", "arg_", "cookie_");

    public enum Escape { DEFAULT, JSON, NONE }

    /** Declared after the variable sets it is checked against (static initialisation order). */
    public static final LogFormat COMBINED = compile("combined", COMBINED_TEXT, Escape.DEFAULT);

    private final String name;
    private final String[] literals;
    private final String[] variables;
    private final Escape escape;

    private LogFormat(String name, String[] literals, String[] variables, Escape escape) {
        this.name = name;
        this.literals = literals;
        this.variables = variables;
        this.escape = escape;
    }

    /**
     * @throws IllegalArgumentException with nginx's wording, e.g. {@code unknown "foo" variable}
     */
    public static LogFormat compile(String name, String text, Escape escape) {
        List<String> lits = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            int start = i + 1;
            int end;
            String var;
            if (start < text.length() && text.charAt(start) == '{') {
                end = text.indexOf('}', start);
                if (end < 0) throw new IllegalArgumentException("the closing bracket in \"" + text.substring(start + 1) + "\" variable is missing");
                var = text.substring(start + 1, end);
                end++;
            } else {
                end = start;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) end++;
                var = text.substring(start, end);
            }
            if (var.isEmpty()) throw new IllegalArgumentException("invalid variable name in \"" + text + "\"");
            var = var.toLowerCase(Locale.ROOT);
            if (!known(var)) throw new IllegalArgumentException("unknown \"" + var + "\" variable");
            lits.add(lit.toString());
            lit.setLength(0);
            vars.add(var);
            i = end;
        }
        lits.add(lit.toString());
        return new LogFormat(name, lits.toArray(String[]::new), vars.toArray(String[]::new), escape);
    }

    static boolean known(String var) {
        if (VARIABLES.contains(var)) return true;
        for (String p : PREFIXES) {
            if (var.startsWith(p) && var.length() > p.length()) return true;
        }
        return false;
    }

    public String name() {
        return name;
    }

    /** One log line, without the line end. */
    public String render(LogVariables values) {
        StringBuilder b = new StringBuilder(256);
        for (int i = 0; i < variables.length; i++) {
            b.append(literals[i]);
            String v = values.value(variables[i]);
            if (v == null) {
                if (escape != Escape.JSON) b.append('-');
            } else {
                escape(b, v);
            }
        }
        b.append(literals[variables.length]);
        return b.toString();
    }

    private void escape(StringBuilder b, String v) {
        switch (escape) {
            case NONE -> b.append(v);
            case DEFAULT -> {
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
                        hex(b, c);
                    } else {
                        b.append(c);
                    }
                }
            }
            case JSON -> {
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    switch (c) {
                        case '"' -> b.append("\\\"");
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        case '\b' -> b.append("\\b");
                        case '\f' -> b.append("\\f");
                        default -> {
                            if (c < 0x20) {
                                b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                            } else {
                                b.append(c);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Header values are bytes read as ISO-8859-1, so each char is one byte of the request. */
    private static void hex(StringBuilder b, char c) {
        int x = c & 0xff;
        b.append("\\x").append(Character.toUpperCase(Character.forDigit(x >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(x & 15, 16)));
    }

    @Override
    public String toString() {
        return "log_format " + name;
    }
}
