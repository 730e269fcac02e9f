package dev.pushrelay.loadgen;

import java.io.PrintStream;

/** Command line entry point: {@code java -jar loadgen.jar SCENARIO [--option value]...}. */
public final class Main {
    private Main() {
    }

    static final String USAGE = String.join("\n",
            "usage: java -jar loadgen.jar SCENARIO [options]",
            "scenarios:",
            "  publish   K keep-alive connections POST messages over C channels, no subscribers",
            "            --connections 16 --channels 100 --duration 10 --warmup 2 --requests 2000000",
            "  fanout    C channels x S waiting subscribers, M messages per channel",
            "            --channels 1 --subscribers 1 (per channel) --messages 20 --publishers min(C,8)",
            "            --round-timeout 30 --resubscribe-timeout 30 --ready-timeout 120 --pause-ms 0",
            "            --transport longpoll|eventsource|websocket (also for idle): how each subscriber",
            "            follows its channel; a stream is one connection, the server pushes every message",
            "            --ready-check info|local (local: trust the client side, for servers whose",
            "            channel info under-counts, e.g. nchan with 2 workers) --local-settle-ms 200",
            "            --latency-detail yes: also the latency CDF, by tenth of each round's publish",
            "            order, by round (with its start time), and deliveries taken from the buffer",
            "  idle      N waiting subscribers (in total) over C channels; server RSS per subscriber;",
            "            then one message per channel, then all reset at once: release_ms until",
            "            channel info shows none (--release-check no skips it, for a server that",
            "            cannot see a client leave). --subscribers 1000 --channels min(100,N)",
            "            --server-pid PID[,PID...] --settle-ms 2000; --heap-pid PID (a JVM): its live heap",
            "            per subscriber too, by class histogram (jcmd; two full collections in the server)",
            "  jitter    one publisher on a fixed schedule, whatever the subscribers do; a stall longer",
            "            than the channel's buffer shows as lost messages. --channels 1 --subscribers 1",
            "            --interval-us 1000 --duration 60 (or --messages N) --drain-ms 2000 --ready-check info|local",
            "common options:",
            "  --url http://127.0.0.1:8080 (loopback only)  --pub-path /publish  --sub-path /activity",
            "  --pub-url URL: publish and ask channel info there, subscribe on --url (two nodes that",
            "            share channels, e.g. on one Redis; default --url)",
            "  --id-param id  --threads 2 (IO threads)  --msg-size 100  --label NAME",
            "  --channel-prefix PREFIX (default random)  --timeout 600 (hard limit for the run, s)",
            "  --max-connecting 256  --info-threads 4  --grace-ms 300",
            "output: human-readable lines, then one 'RESULT {json}' line per figure.",
            "exit status: 0 all checks passed, 1 a correctness check failed, 2 usage error.");

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.exit(code);
    }

    /** Runs one scenario; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Report rep;
        try {
            rep = runReport(args, out);
        } catch (IllegalArgumentException e) {
            err.println("loadgen: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (Exception e) {
            err.println("loadgen: run failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
        rep.print(out);
        return rep.ok() ? 0 : 1;
    }

    static Report runReport(String[] args, PrintStream log) throws Exception {
        Options o = Options.parse(args, 1);
        Common common = new Common(o, log);
        switch (args[0]) {
            case "publish": {
                PublishScenario s = new PublishScenario(common, o);
                o.checkAllUsed();
                return s.run();
            }
            case "fanout": {
                FanoutScenario s = new FanoutScenario(common, o, false);
                o.checkAllUsed();
                return s.run();
            }
            case "idle": {
                FanoutScenario s = new FanoutScenario(common, o, true);
                o.checkAllUsed();
                return s.run();
            }
            case "jitter": {
                JitterScenario s = new JitterScenario(common, o);
                o.checkAllUsed();
                return s.run();
            }
            default:
                throw new IllegalArgumentException("unknown scenario: " + args[0]);
        }
    }
}
