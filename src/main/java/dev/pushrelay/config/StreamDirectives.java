package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The directives of the streaming transports (protocol.md §14): their table entries and
 * their handlers, kept beside each other so the push-module tables stay as they were.
 */
final class StreamDirectives {

    private StreamDirectives() {
    }

    /** The registry entries: name, contexts, argument counts (nchan's for nchan's names), all applied by {@link #apply}. */
    static List<DirectiveTable.Spec> specs() {
        return withHandler(List.of(
                spec("nchan_eventsource_ping_interval", 1, 1),
                spec("nchan_websocket_ping_interval", 1, 1),
                spec("pushrelay_cursor_gap_header", 1, 1),
                new DirectiveTable.Spec("nchan_subscriber_first_message", DirectiveTable.SRV | DirectiveTable.LOC, 1, 1,
                        false, false, false),
                new DirectiveTable.Spec("nchan_channel_id", DirectiveTable.SRV | DirectiveTable.LOC, 1, 7,
                        false, false, false),
                new DirectiveTable.Spec("nchan_channel_id_split_delimiter", DirectiveTable.SRV | DirectiveTable.LOC, 1, 1,
                        false, false, false),
                // nchan's endpoint directives (protocol.md §14.7): server and location, as nchan's
                new DirectiveTable.Spec("nchan_subscriber", DirectiveTable.SRV | DirectiveTable.LOC, 0, 7,
                        false, false, false),
                new DirectiveTable.Spec("nchan_publisher", DirectiveTable.SRV | DirectiveTable.LOC, 0, 2,
                        false, false, false)));
    }

    private static List<DirectiveTable.Spec> withHandler(List<DirectiveTable.Spec> specs) {
        return specs.stream().map(s -> new DirectiveTable.Spec(s.name(), s.contexts(), s.minArgs(), s.maxArgs(),
                s.block(), s.ignored(), s.skipBody(), StreamDirectives::apply)).toList();
    }

    private static DirectiveTable.Spec spec(String name, int min, int max) {
        return new DirectiveTable.Spec(name, DirectiveTable.HSL, min, max, false, false, false);
    }

    /** nchan's subscriber types that pushrelay does not serve yet: named, they are refused. */
    private static final List<String> NOT_BUILT = List.of("http-raw-stream");

    /** Applies one of {@link #specs()}; anything else is a programming error. */
    static void apply(ConfNode n, LevelDirectives c) throws ConfException {
        switch (n.name()) {
            case "nchan_eventsource_ping_interval" -> {
                if (c.eventSourcePing != null) throw Directives.duplicate(n);
                c.eventSourcePing = seconds(n);
            }
            case "nchan_websocket_ping_interval" -> {
                if (c.webSocketPing != null) throw Directives.duplicate(n);
                c.webSocketPing = seconds(n);
            }
            case "pushrelay_cursor_gap_header" -> {
                if (c.gapHeader != null) throw Directives.duplicate(n);
                Boolean v = ValueSyntax.flag(n.arg(0));
                if (v == null) {
                    throw n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name()
                            + "\" directive, it must be \"on\" or \"off\"");
                }
                c.gapHeader = v;
            }
            case "nchan_subscriber" -> subscriber(n, c);
            case "nchan_subscriber_first_message" -> {
                if (c.firstMessage != null) throw Directives.duplicate(n);
                c.firstMessage = firstMessage(n);
            }
            case "nchan_channel_id" -> {
                if (c.channelIds != null) throw Directives.duplicate(n);
                List<ValueTemplate> ids = new java.util.ArrayList<>();
                for (String a : n.args()) ids.add(ValueTemplate.compile(a, n));
                c.channelIds = ids;
            }
            case "nchan_channel_id_split_delimiter" -> {
                if (c.splitDelimiter != null) throw Directives.duplicate(n);
                c.splitDelimiter = n.arg(0);
            }
            case "nchan_publisher" -> {
                // nchan_publisher [http] [websocket]: without arguments both, as nchan's default
                boolean http = n.args().isEmpty();
                boolean ws = n.args().isEmpty();
                for (String a : n.args()) {
                    if (a.equals("http")) {
                        http = true;
                    } else if (a.equals("websocket")) {
                        ws = true;
                    } else {
                        throw n.error("invalid nchan_publisher value: \"" + a + "\"");
                    }
                }
                c.endpoint = Endpoint.PUBLISHER; // the last endpoint directive of a block wins (§2.1)
                c.endpointNode = n;
                c.transports = null;
                c.publishHttp = http;
                c.publishWebSocket = ws;
            }
            default -> throw new IllegalStateException("no handler for " + n.name());
        }
    }

    /**
     * nchan_subscriber [websocket | eventsource | longpoll | intervalpoll ...]: a subscriber
     * location serving the transports named, or nchan's default (websocket, eventsource,
     * longpoll) without arguments. With intervalpoll a plain GET is answered as an interval
     * poll, as nchan prefers it to longpoll when both are named.
     */
    private static void subscriber(ConfNode n, LevelDirectives c) throws ConfException {
        if (c.pollMode != null) throw Directives.duplicate(n);
        Set<SubscriberTransport> ts = EnumSet.noneOf(SubscriberTransport.class);
        if (n.args().isEmpty()) {
            ts.addAll(List.of(SubscriberTransport.WEBSOCKET, SubscriberTransport.EVENTSOURCE, SubscriberTransport.LONGPOLL,
                    SubscriberTransport.CHUNKED, SubscriberTransport.MULTIPART_MIXED));
        }
        for (String a : n.args()) {
            SubscriberTransport t = SubscriberTransport.of(a);
            if (t == null && NOT_BUILT.contains(a)) {
                throw n.error("\"nchan_subscriber " + a + "\" is not supported yet: websocket, eventsource, "
                        + "longpoll, intervalpoll, chunked and multipart-mixed are");
            }
            if (t == null) throw n.error("invalid nchan_subscriber value: \"" + a + "\"");
            ts.add(t);
        }
        c.pollMode = ts.contains(SubscriberTransport.INTERVALPOLL) ? PollMode.INTERVAL_POLL : PollMode.LONG_POLL;
        c.transports = ts;
        c.endpoint = Endpoint.SUBSCRIBER;
        c.endpointNode = n;
    }

    /**
     * nchan's values: oldest (1), newest (0), or a number from -32 to 32 (nchan checks the
     * size after taking the sign off), with nchan's words when it is none of them.
     */
    private static int firstMessage(ConfNode n) throws ConfException {
        String v = n.arg(0);
        if (v.equals("oldest")) return StreamSettings.OLDEST;
        if (v.equals("newest")) return StreamSettings.NEWEST;
        String digits = v.startsWith("-") ? v.substring(1) : v;
        if (!digits.matches("[0-9]{1,9}")) {
            throw n.error("invalid nchan_subscriber_first_message value: \"" + v + "\", it must be "
                    + "\"oldest\", \"newest\" or a number");
        }
        int k = Integer.parseInt(digits);
        if (k > 32) {
            throw n.error("invalid nchan_subscriber_first_message value: \"" + v + "\", it must be "
                    + "\"oldest\", \"newest\" or a number between -32 and 32");
        }
        return v.startsWith("-") ? -k : k;
    }

    /** Whether nchan_channel_id is set at this level or one it inherits from (§14.7). */
    static boolean namesChannel(LevelDirectives c) {
        for (LevelDirectives l = c; l != null; l = l.parent) {
            if (l.channelIds != null) return true;
        }
        return false;
    }

    private static long seconds(ConfNode n) throws ConfException {
        long v = ValueSyntax.seconds(n.arg(0));
        if (v < 0) throw n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name() + "\" directive");
        return v;
    }

    /** The merged settings of a location (innermost level that sets each one wins). */
    static StreamSettings merge(List<LevelDirectives> chain) {
        Long ping = null;
        Long wsPing = null;
        Boolean gap = null;
        List<ValueTemplate> channelIds = null;
        String delimiter = null;
        Integer first = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            LevelDirectives c = chain.get(i);
            if (ping == null) ping = c.eventSourcePing;
            if (wsPing == null) wsPing = c.webSocketPing;
            if (gap == null) gap = c.gapHeader;
            if (channelIds == null) channelIds = c.channelIds;
            if (delimiter == null) delimiter = c.splitDelimiter;
            if (first == null) first = c.firstMessage;
        }
        LevelDirectives level = chain.get(chain.size() - 1);
        Set<SubscriberTransport> own = level.transports;
        // push_publisher takes both HTTP and WebSocket publishers; nchan_publisher those it names
        boolean nchanPublisher = level.endpointNode != null && level.endpointNode.name().equals("nchan_publisher");
        return new StreamSettings(ping == null ? 0 : ping, wsPing == null ? 0 : wsPing, gap != null && gap,
                own == null ? StreamSettings.DEFAULT.transports() : own, channelIds == null ? List.of() : channelIds,
                delimiter == null ? "" : delimiter, first == null ? StreamSettings.OLDEST : first,
                !nchanPublisher || level.publishHttp, !nchanPublisher || level.publishWebSocket);
    }
}
