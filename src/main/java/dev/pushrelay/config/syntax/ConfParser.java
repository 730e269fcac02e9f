package dev.pushrelay.config.syntax;

import dev.pushrelay.config.syntax.ConfException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link ConfNode} tree of a file and expands {@code include} in place, as
 * nginx does while parsing (an included file's directives belong to the block that
 * holds the {@code include}). Knows nothing about what directives mean.
 */
public final class ConfParser {

    /** Guards against include loops; nginx itself would recurse until it runs out of files. */
    private static final int MAX_INCLUDE_DEPTH = 32;

    private final List<String> ignored;

    /** @param ignored receives {@code file:line: include} for a missing mime.types */
    public ConfParser(List<String> ignored) {
        this.ignored = ignored;
    }

    public List<ConfNode> parseFile(Path file) throws ConfException {
        return parseFile(file, file.toString(), 0);
    }

    public List<ConfNode> parseText(String text, Path file) throws ConfException {
        return parse(text, file, file.toString(), 0);
    }

    private List<ConfNode> parseFile(Path file, String shown, int depth) throws ConfException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfException("open() \"" + shown + "\" failed (No such file or directory)");
        } catch (IOException e) {
            throw new ConfException("open() \"" + shown + "\" failed (" + e.getMessage() + ")");
        }
        return parse(text, file, shown, depth);
    }

    private List<ConfNode> parse(String text, Path file, String shown, int depth) throws ConfException {
        Tokenizer tokens = new Tokenizer(text, shown);
        List<ConfNode> nodes = new ArrayList<>();
        Tokenizer.Statement end = block(tokens, file, shown, depth, nodes);
        if (end.end() == Tokenizer.End.BLOCK_END) {
            throw new ConfException(shown + ":" + end.line() + ": unexpected \"}\"");
        }
        return nodes;
    }

    /** Reads statements into {@code into} until '}' or end of file; returns the ending statement. */
    private Tokenizer.Statement block(Tokenizer tokens, Path file, String shown, int depth, List<ConfNode> into)
            throws ConfException {
        while (true) {
            Tokenizer.Statement st = tokens.next();
            switch (st.end()) {
                case EOF, BLOCK_END -> {
                    return st;
                }
                case SEMICOLON -> {
                    String name = st.words().get(0);
                    List<String> args = st.words().subList(1, st.words().size());
                    if (name.equals("include")) {
                        include(new ConfNode(name, args, null, shown, st.line()), file, depth, into);
                    } else {
                        into.add(new ConfNode(name, args, null, shown, st.line()));
                    }
                }
                case BLOCK_START -> {
                    List<ConfNode> children = new ArrayList<>();
                    Tokenizer.Statement close = block(tokens, file, shown, depth, children);
                    if (close.end() == Tokenizer.End.EOF) {
                        throw new ConfException(shown + ":" + close.line() + ": unexpected end of file, expecting \"}\"");
                    }
                    List<String> words = st.words();
                    into.add(new ConfNode(words.get(0), words.subList(1, words.size()), children, shown, st.line()));
                }
            }
        }
    }

    /**
     * nginx's include: one argument, a file or a glob; relative paths resolve against
     * the directory of the including file; a glob may match nothing, a plain name must
     * exist. Files matched by a glob are read in name order.
     */
    private void include(ConfNode node, Path from, int depth, List<ConfNode> into) throws ConfException {
        if (node.args().size() != 1) {
            throw node.error("invalid number of arguments in \"include\" directive");
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            throw node.error("too deeply nested includes (include loop?)");
        }
        String spec = node.arg(0);
        Path base = from.toAbsolutePath().getParent();
        Path target = base == null ? Path.of(spec) : base.resolve(spec);
        Path shownParent = Path.of(node.file()).getParent();
        String shownBase = shownParent == null ? "" : shownParent.toString();
        boolean glob = spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0;
        if (!glob) {
            if (!Files.exists(target) && target.getFileName() != null
                    && target.getFileName().toString().equals("mime.types")) {
                // Tolerated (nginx would refuse to start): mime.types only holds a types {}
                // block, so without it the level keeps the inherited or built-in map (§8.6).
                ignored.add(node.where() + ": include " + spec + " (file not found)");
                return;
            }
            into.addAll(parseFile(target, shown(shownBase, spec), depth + 1));
            return;
        }
        Path dir = target.getParent();
        String pattern = target.getFileName().toString();
        List<Path> matches = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
                for (Path p : ds) {
                    // nginx's glob skips hidden files
                    if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                        matches.add(p);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw node.error("glob \"" + spec + "\" failed: " + e.getMessage());
            }
        }
        matches.sort(null);
        int slash = spec.lastIndexOf('/');
        String specDir = slash < 0 ? "" : spec.substring(0, slash + 1);
        for (Path p : matches) {
            into.addAll(parseFile(p, shown(shownBase, specDir + p.getFileName()), depth + 1));
        }
    }

    /** The name used in messages: as the user wrote it, relative to the including file's path. */
    private static String shown(String base, String spec) {
        if (spec.startsWith("/") || base.isEmpty()) {
            return spec;
        }
        return base + "/" + spec;
    }
}
