package dev.pushrelay.config;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Applies one value directive to the {@link LevelDirectives} of the block it appears in, with
 * the value parsing and "is duplicate" checks of the nginx slot or push-module handler
 * that owns it (protocol.md §2). Structure (http, server, location, listen, server_name)
 * is handled by {@link ConfLoader}.
 */
final class Directives {

    private Directives() {
    }

    static void apply(ConfNode n, LevelDirectives c) throws ConfException {
        switch (n.name()) {
            // §2.1 endpoints: the last of push_publisher / push_subscriber in a block wins
            case "push_publisher" -> {
                c.endpoint = Endpoint.PUBLISHER;
                c.endpointNode = n;
                c.transports = null;
            }
            case "push_subscriber" -> {
                if (c.pollMode != null) {
                    throw duplicate(n);
                }
                PollMode mode = PollMode.LONG_POLL;
                if (!n.args().isEmpty()) {
                    int i = ValueSyntax.prefixChoice(n.arg(0), List.of("interval-poll", "long-poll"));
                    if (i < 0) {
                        throw n.error("invalid push_subscriber value: \"" + n.arg(0) + "\"");
                    }
                    mode = i == 0 ? PollMode.INTERVAL_POLL : PollMode.LONG_POLL;
                }
                c.pollMode = mode;
                c.transports = null;
                c.endpoint = Endpoint.SUBSCRIBER;
                c.endpointNode = n;
            }
            // README "Operating pushrelay": the last endpoint directive of a block wins, as above
            case "pushrelay_metrics" -> {
                c.endpoint = Endpoint.METRICS;
                c.endpointNode = n;
            }
            case "pushrelay_status" -> {
                c.endpoint = Endpoint.STATUS;
                c.endpointNode = n;
            }
            // §2.2: v0.731's handler: "off" sets min = max = 0, any other word is ignored
            case "push_store_messages" -> storeMessages(n, c, n.arg(0));
            // §2.5: the pre-0.68 name of push_store_messages, which was a real flag; nchan's
            // name is a flag too (§14.7)
            case "push_queue_messages", "nchan_store_messages" -> {
                if (ValueSyntax.flag(n.arg(0)) == null) {
                    throw invalidFlag(n);
                }
                storeMessages(n, c, n.arg(0));
            }
            case "push_max_message_buffer_length", "nchan_message_buffer_length", "nchan_message_max_buffer_length" -> {
                if (c.maxMessages != null) {
                    throw duplicate(n);
                }
                c.maxMessages = intValue(n);
                c.maxNode = n;
            }
            case "push_min_message_buffer_length" -> {
                if (c.minMessages != null) {
                    throw duplicate(n);
                }
                c.minMessages = intValue(n);
                c.minNode = n;
            }
            case "push_message_buffer_length" -> {
                if (c.minMessages != null || c.maxMessages != null) {
                    throw duplicate(n);
                }
                c.minMessages = intValue(n);
                c.maxMessages = c.minMessages;
                c.minNode = n;
                c.maxNode = n;
            }
            case "push_message_timeout", "nchan_message_timeout" -> {
                check(c.messageTimeout, n);
                c.messageTimeout = seconds(n);
            }
            case "push_delete_oldest_received_message" -> {
                check(c.deleteOldest, n);
                c.deleteOldest = flag(n);
            }
            case "push_max_reserved_memory", "push_buffer_size", "nchan_max_reserved_memory" -> {
                check(c.maxReservedMemory, n);
                c.maxReservedMemory = size(n);
            }
            case "push_subscriber_concurrency" -> {
                check(c.concurrency, n);
                int i = ValueSyntax.prefixChoice(n.arg(0), List.of("first", "last", "broadcast"));
                if (i < 0) {
                    throw n.error("invalid push_subscriber_concurrency value: \"" + n.arg(0) + "\"");
                }
                c.concurrency = i == 0 ? ConcurrencyMode.FIRST : i == 1 ? ConcurrencyMode.LAST
                        : ConcurrencyMode.BROADCAST;
            }
            case "push_subscriber_timeout", "nchan_subscriber_timeout" -> {
                check(c.subscriberTimeout, n);
                c.subscriberTimeout = seconds(n);
            }
            case "push_authorized_channels_only", "nchan_subscribe_existing_channels_only" -> {
                check(c.authorizedOnly, n);
                c.authorizedOnly = flag(n);
            }
            case "push_max_channel_subscribers", "nchan_max_channel_subscribers" -> {
                check(c.maxSubscribers, n);
                c.maxSubscribers = intValue(n);
            }
            case "push_ignore_queue_on_no_cache" -> {
                check(c.ignoreQueueOnNoCache, n);
                c.ignoreQueueOnNoCache = flag(n);
            }
            case "push_channel_group", "nchan_channel_group" -> {
                check(c.channelGroup, n);
                c.channelGroup = n.arg(0);
            }
            case "push_max_channel_id_length" -> {
                check(c.maxChannelIdLength, n);
                c.maxChannelIdLength = intValue(n);
            }
            case "push_channel_timeout", "nchan_channel_timeout" -> {
                check(c.channelTimeout, n);
                c.channelTimeout = seconds(n);
            }
            case "push_min_message_recipients" -> {
                check(c.minMessageRecipients, n);
                c.minMessageRecipients = intValue(n);
            }
            // nginx core and standard modules
            case "client_max_body_size" -> {
                check(c.clientMaxBodySize, n);
                c.clientMaxBodySize = size(n);
            }
            case "default_type" -> {
                check(c.defaultType, n);
                c.defaultType = n.arg(0);
            }
            case "keepalive_timeout" -> {
                check(c.keepaliveTimeout, n);
                c.keepaliveTimeout = seconds(n); // the optional 2nd argument is the Keep-Alive header value
                if (n.args().size() == 2 && ValueSyntax.seconds(n.arg(1)) < 0) {
                    throw n.error("invalid value \"" + n.arg(1) + "\"");
                }
            }
            case "client_header_timeout" -> {
                check(c.clientHeaderTimeout, n);
                c.clientHeaderTimeout = positiveMillis(n);
            }
            case "client_body_timeout" -> {
                check(c.clientBodyTimeout, n);
                c.clientBodyTimeout = positiveMillis(n);
            }
            case "large_client_header_buffers" -> {
                check(c.headerBufferCount, n);
                long count = ValueSyntax.number(n.arg(0));
                long size = ValueSyntax.size(n.arg(1));
                if (count <= 0 || count > 1024 || size <= 0 || size > Integer.MAX_VALUE / count) {
                    throw n.error("invalid value \"" + n.arg(0) + " " + n.arg(1) + "\"");
                }
                c.headerBufferCount = (int) count;
                c.headerBufferSize = size;
            }
            case "gzip" -> {
                check(c.gzip, n);
                c.gzip = flag(n);
            }
            case "gzip_types" -> {
                check(c.gzipTypes, n);
                List<String> types = new ArrayList<>();
                for (String t : n.args()) {
                    types.add(t.toLowerCase(Locale.ROOT));
                }
                c.gzipTypes = types;
            }
            case "gzip_min_length" -> {
                check(c.gzipMinLength, n);
                c.gzipMinLength = size(n);
            }
            case "add_header" -> {
                if (n.args().size() == 3 && !n.arg(2).equals("always")) {
                    throw n.error("invalid parameter \"" + n.arg(2) + "\"");
                }
                if (c.addHeaders == null) {
                    c.addHeaders = new ArrayList<>();
                }
                c.addHeaders.add(new AddHeader(n.arg(0), n.arg(1), n.args().size() == 3));
            }
            case "allow", "deny" -> {
                AccessRules.Rule r = AccessRules.parse(n.name().equals("allow"), n.arg(0));
                if (r == null) {
                    throw n.error("invalid parameter \"" + n.arg(0) + "\"");
                }
                if (c.access == null) {
                    c.access = new ArrayList<>();
                }
                c.access.add(r);
            }
            case "error_page" -> PageDirectives.errorPage(n, c);
            case "try_files" -> PageDirectives.tryFiles(n, c);
            case "auth_basic" -> {
                check(c.authBasic, n);
                c.authBasic = n.arg(0);
            }
            case "satisfy" -> {
                check(c.satisfyAny, n);
                if (!n.arg(0).equals("all") && !n.arg(0).equals("any")) {
                    throw n.error("invalid value \"" + n.arg(0) + "\" in \"satisfy\" directive, it must be \"all\" or \"any\"");
                }
                c.satisfyAny = n.arg(0).equals("any");
            }
            case "root", "alias" -> {
                if (c.root != null) {
                    throw n.error("\"" + n.name() + "\" directive is duplicate, \""
                            + (c.rootIsAlias ? "alias" : "root") + "\" directive was specified earlier");
                }
                c.root = n.arg(0);
                c.rootIsAlias = n.name().equals("alias");
            }
            case "index" -> {
                if (c.index == null) {
                    c.index = new ArrayList<>();
                }
                for (String a : n.args()) {
                    if (a.isEmpty()) {
                        throw n.error("index \"\" in \"index\" directive is invalid");
                    }
                    c.index.add(a);
                }
            }
            default -> StreamDirectives.apply(n, c);
        }
    }

    /**
     * nginx's {@code types { type ext...; }} (ngx_http_core_types / ngx_http_core_type):
     * every types block of one level adds to the same map; extensions are lowercased; an
     * extension listed again takes the later type, as nginx does, and the replaced one is
     * reported in {@code notes} with nginx's "duplicate extension" warning. Includes inside
     * the block were already expanded by {@link dev.pushrelay.config.syntax.ConfParser}.
     *
     * <p>An entry without an extension maps nothing, as in nginx, which accepts it silently
     * (a drop-in replacement must start on every config nginx starts on); it is reported in
     * {@code notes}, since it is almost always a missing word or semicolon.
     */
    static void types(ConfNode n, LevelDirectives c, List<String> notes) throws ConfException {
        if (c.types == null) {
            c.types = new java.util.LinkedHashMap<>();
        }
        for (ConfNode entry : n.children()) {
            if (entry.isBlock()) {
                throw new ConfException(entry.where() + ": types: unexpected \"{\"");
            }
            if (entry.args().isEmpty()) {
                notes.add(entry.where() + ": types: \"" + entry.name() + "\" lists no extension (maps nothing)");
                continue;
            }
            String type = entry.name();
            for (String a : entry.args()) {
                String ext = a.toLowerCase(Locale.ROOT);
                String old = c.types.put(ext, type);
                if (old != null) {
                    notes.add(entry.where() + ": types: duplicate extension \"" + ext + "\", content type: \""
                            + type + "\", previous content type: \"" + old + "\"");
                }
            }
        }
    }

    private static void storeMessages(ConfNode n, LevelDirectives c, String value) {
        if (value.equalsIgnoreCase("off")) {
            c.minMessages = 0;
            c.maxMessages = 0;
            c.minNode = n;
            c.maxNode = n;
        }
    }

    static ConfException duplicate(ConfNode n) {
        return n.error("\"" + n.name() + "\" directive is duplicate");
    }

    private static void check(Object current, ConfNode n) throws ConfException {
        if (current != null) {
            throw duplicate(n);
        }
    }

    private static int intValue(ConfNode n) throws ConfException {
        long v = ValueSyntax.number(n.arg(0));
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw n.error("invalid number \"" + n.arg(0) + "\"");
        }
        return (int) v;
    }

    private static long seconds(ConfNode n) throws ConfException {
        long v = ValueSyntax.seconds(n.arg(0));
        if (v < 0) {
            throw n.error("invalid value \"" + n.arg(0) + "\"");
        }
        return v;
    }

    /** nginx's msec slot (client_*_timeout); 0 would mean "no time at all", so it is refused. */
    private static long positiveMillis(ConfNode n) throws ConfException {
        long v = ValueSyntax.millis(n.arg(0));
        if (v <= 0) {
            throw n.error("invalid value \"" + n.arg(0) + "\"");
        }
        return v;
    }

    private static long size(ConfNode n) throws ConfException {
        long v = ValueSyntax.size(n.arg(0));
        if (v < 0) {
            throw n.error("invalid value \"" + n.arg(0) + "\"");
        }
        return v;
    }

    private static boolean flag(ConfNode n) throws ConfException {
        Boolean b = ValueSyntax.flag(n.arg(0));
        if (b == null) {
            throw invalidFlag(n);
        }
        return b;
    }

    private static ConfException invalidFlag(ConfNode n) {
        return n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name() + "\" directive, it must be \"on\" or \"off\"");
    }
}
