package dev.pushrelay.loadgen;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects a run's figures. Prints them as human-readable lines and, for tools, one
 * {@code RESULT {json}} line per figure.
 */
final class Report {
    private record Figure(String metric, double value, String unit) {
    }

    final String scenario;
    final String shape;
    final String label;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    Report(String scenario, String shape, String label) {
        this.scenario = scenario;
        this.shape = shape;
        this.label = label;
    }

    void fig(String metric, double value, String unit) {
        figures.add(new Figure(metric, value, unit));
    }

    void ms(String metric, long nanos) {
        fig(metric, nanos / 1e6, "ms");
    }

    /** A correctness problem; makes {@link #ok()} false. */
    void problem(String what) {
        problems.add(what);
    }

    boolean ok() {
        return problems.isEmpty();
    }

    List<String> problems() {
        return problems;
    }

    double value(String metric) {
        for (Figure f : figures) {
            if (f.metric.equals(metric)) {
                return f.value;
            }
        }
        throw new IllegalArgumentException("no figure " + metric);
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    void print(PrintStream out) {
        out.printf("== %s %s [%s]%n", scenario, shape, label);
        for (Figure f : figures) {
            out.printf(Locale.ROOT, "  %-28s %14s %s%n", f.metric, fmt(f.value), f.unit);
        }
        out.println(ok() ? "  correctness: OK" : "  correctness: FAILED");
        for (String p : problems) {
            out.println("    - " + p);
        }
        for (Figure f : figures) {
            out.println("RESULT {\"scenario\":" + json(scenario) + ",\"shape\":" + json(shape) + ",\"label\":"
                    + json(label) + ",\"metric\":" + json(f.metric) + ",\"value\":" + fmt(f.value) + ",\"unit\":"
                    + json(f.unit) + "}");
        }
        out.println("RESULT {\"scenario\":" + json(scenario) + ",\"shape\":" + json(shape) + ",\"label\":"
                + json(label) + ",\"metric\":\"correct\",\"value\":" + (ok() ? 1 : 0) + ",\"unit\":\"bool\"}");
        out.flush();
    }
}
