package dev.pushrelay.config.syntax;

import dev.pushrelay.config.syntax.ConfException;

import java.util.List;

/**
 * One directive of an nginx-syntax file, with its arguments (quotes and escapes already
 * resolved) and, for a block directive, its children. {@code line} is the line of the
 * terminating {@code ;} or {@code {}, which is the line nginx reports in its messages.
 *
 * @param children null for a simple directive, the block's directives otherwise
 */
public record ConfNode(String name, List<String> args, List<ConfNode> children, String file, int line) {

    public ConfNode {
        args = List.copyOf(args);
        children = children == null ? null : List.copyOf(children);
    }

    public boolean isBlock() {
        return children != null;
    }

    /** {@code file:line}, as used at the start of every message. */
    public String where() {
        return file + ":" + line;
    }

    /** An error about this directive, formatted {@code file:line: name: reason}. */
    public ConfException error(String reason) {
        return new ConfException(where() + ": " + name + ": " + reason);
    }

    /** The argument at {@code i} (0 = first argument after the name). */
    public String arg(int i) {
        return args.get(i);
    }
}
