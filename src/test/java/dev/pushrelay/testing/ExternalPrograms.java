package dev.pushrelay.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The programs some tests run for real (nginx, redis-server, Ruby with em-http, Chromium with
 * node and playwright-core, curl), found on this machine or the test is skipped. Tests never
 * install software: {@code bin/test} installs all of them first, and
 * {@code test-clients/install-deps.sh TARGET} installs one.
 *
 * <p>A test class that needs a program carries its tag (the constants below) and this
 * extension:
 * <pre>
 * &#64;Tag(ExternalPrograms.NGINX)
 * &#64;ExtendWith(ExternalPrograms.class)
 * class SomethingIT { ... ExternalPrograms.nginx() gives the binary ... }
 * </pre>
 * When one is missing every test of the class is skipped, before any {@code @BeforeAll}, with a
 * message naming what is missing and how to get it (in target/failsafe-reports/TEST-*.xml;
 * {@code bin/test} prints them). The tags also select: {@code mvn verify
 * -DexcludedGroups=chromium} leaves those tests out, {@code -Dgroups=nginx} runs only them.
 * The methods ({@link #nginx()}, ...) return the program's path, or abort the calling test
 * as skipped with the same message.
 */
public final class ExternalPrograms implements ExecutionCondition {

    public static final String NGINX = "nginx";
    public static final String REDIS = "redis";
    public static final String RUBY = "ruby";
    public static final String CHROMIUM = "chromium";
    public static final String CURL = "curl";

    /** Where Debian puts daemons and browsers, searched after PATH (sbin is often not on it). */
    private static final List<String> ALSO = List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");

    /** For {@code @ExtendWith} only. */
    public ExternalPrograms() {
    }

    /** What each tag needs, as the message that skips its tests, or null when all is there. */
    private static String missing(String tag) {
        return switch (tag) {
            case NGINX -> why(ExternalPrograms::nginx);
            case REDIS -> why(ExternalPrograms::redisServer);
            case RUBY -> why(ExternalPrograms::ruby);
            case CHROMIUM -> why(ExternalPrograms::chromium);
            case CURL -> why(ExternalPrograms::curl);
            default -> null;
        };
    }

    private static String why(Runnable check) {
        try {
            check.run();
            return null;
        } catch (TestAbortedException e) {
            return e.getMessage();
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        // each program is looked for once per run (the root context's store), not per test
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(ExternalPrograms.class));
        for (String tag : context.getTags()) {
            String why = store.getOrComputeIfAbsent(tag, t -> Objects.requireNonNullElse(missing(t), ""), String.class);
            if (!why.isEmpty()) return ConditionEvaluationResult.disabled(why);
        }
        return ConditionEvaluationResult.enabled("every program its tags name is here");
    }

    /** nginx (Debian: nginx). */
    public static Path nginx() {
        return require("nginx", "nginx", "nginx");
    }

    /** redis-server (Debian: redis-server). */
    public static Path redisServer() {
        return require("redis-server", "redis", "redis-server");
    }

    /** curl. */
    public static Path curl() {
        return require("curl", "curl", "curl");
    }

    /** Ruby that can load em-http-request (Debian: ruby ruby-em-http-request). */
    public static Path ruby() {
        Path ruby = require("Ruby", "ruby", "ruby");
        if (!runs(ruby.toString(), "-e", "require 'em-http'")) {
            throw skip("em-http-request for Ruby (Debian: ruby-em-http-request)", "ruby");
        }
        return ruby;
    }

    /** Node.js (Debian: nodejs), for test-clients/browser. */
    public static Path node() {
        return require("node", "node-modules", "node", "nodejs");
    }

    /**
     * Chromium (Debian: chromium), with node and test-clients/browser's playwright-core that
     * drive it.
     */
    public static Path chromium() {
        Path chromium = require("Chromium", "chromium", "chromium", "chromium-browser");
        node();
        Path root = Path.of(System.getProperty("user.dir"));
        if (!Files.isDirectory(root.resolve("test-clients/browser/node_modules/playwright-core"))) {
            throw skip("playwright-core in test-clients/browser/node_modules", "node-modules");
        }
        return chromium;
    }

    /** The first of {@code names} on PATH or in the usual directories, if any. */
    public static Optional<Path> find(String... names) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(ALSO);
        for (String name : names) {
            for (String dir : dirs) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Path require(String what, String target, String... names) {
        return find(names).orElseThrow(() -> skip(what + " (" + String.join(" or ", names) + " not found on PATH)", target));
    }

    private static TestAbortedException skip(String missing, String target) {
        return new TestAbortedException("needs " + missing + "; bin/test installs it, or run"
                + " test-clients/install-deps.sh " + target + " (as root)");
    }

    /** Whether the command exits 0 within 30 s. */
    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
