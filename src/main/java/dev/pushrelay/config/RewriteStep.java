package dev.pushrelay.config;

/**
 * One compiled rewrite-module directive of a server or location, run in file order per
 * request as nginx's rewrite phases do; {@code return} ends the run.
 */
sealed interface RewriteStep {

    /** {@code set $name value;} */
    record Set(String name, VariableExpr value, ConfNode node) implements RewriteStep {
    }

    /** {@code return code [text];} */
    record Ret(int code, VariableExpr text, ConfNode node) implements RewriteStep {
    }
}
