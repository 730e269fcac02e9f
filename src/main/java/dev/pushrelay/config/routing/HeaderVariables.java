package dev.pushrelay.config.routing;

import dev.pushrelay.config.ValueTemplate;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.List;
import java.util.Map;

/**
 * nginx variables in a value that is used after routing ({@code add_header NAME VALUE}):
 * built-ins ({@code $host}, {@code $arg_id}, {@code $remote_addr}, ...) read from the
 * request, user variables ({@code set}, named regex captures) from the {@link RouteMatch}.
 * Positional captures ({@code $1}) are those of the last regex match during routing.
 * A value without '$' is returned as it is, so literal headers cost nothing.
 */
public final class HeaderVariables {

    private static final ConfNode AT = new ConfNode("add_header", List.of(), null, "add_header", 0);

    private HeaderVariables() {
    }

    /** {@code value} with its variables evaluated for {@code request}; malformed variables stay literal. */
    public static String evaluate(String value, RequestView request, RouteMatch match) {
        if (value.indexOf('$') < 0) {
            return value;
        }
        ValueTemplate expr;
        try {
            expr = ValueTemplate.compile(value, AT);
        } catch (ConfException e) {
            return value;
        }
        RequestVariables ev = new RequestVariables(request, match.server());
        for (Map.Entry<String, String> v : match.variables().entrySet()) {
            ev.set(v.getKey(), v.getValue());
        }
        ev.positional(match.positional());
        if (match.uri() != null) {
            ev.rewritten(match.uri(), match.args());
        }
        ev.location(match.location());
        return ev.evaluate(expr);
    }
}
