package dev.pushrelay.config;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


/**
 * The registry entries of the push module's directives and of the nginx directives around
 * them (protocol.md §2, §8): each with its contexts, argument count, the value parsing and
 * "is duplicate" checks of the nginx slot or push-module handler that owns it, and, for a
 * value that is inherited http → server → location, its {@link Slot} with the default.
 * Structure (http, server, location, listen, server_name) is handled by {@link ConfLoader}.
 */
final class Directives {

    // push module, protocol.md §2 (defaults as v0.731's merge_loc_conf)
    static final Slot<Long> MESSAGE_TIMEOUT = new Slot<>("push_message_timeout", 3600L);
    static final Slot<Boolean> DELETE_OLDEST = new Slot<>("push_delete_oldest_received_message", false);
    static final Slot<Long> MAX_RESERVED_MEMORY = new Slot<>("push_max_reserved_memory", 32L * 1024 * 1024);
    static final Slot<ConcurrencyMode> CONCURRENCY = new Slot<>("push_subscriber_concurrency", ConcurrencyMode.BROADCAST);
    static final Slot<Long> SUBSCRIBER_TIMEOUT = new Slot<>("push_subscriber_timeout", 0L);
    static final Slot<Boolean> AUTHORIZED_ONLY = new Slot<>("push_authorized_channels_only", false);
    static final Slot<Integer> MAX_SUBSCRIBERS = new Slot<>("push_max_channel_subscribers", 0);
    static final Slot<Boolean> IGNORE_QUEUE_ON_NO_CACHE = new Slot<>("push_ignore_queue_on_no_cache", false);
    static final Slot<String> CHANNEL_GROUP = new Slot<>("push_channel_group", "");
    static final Slot<Integer> MAX_CHANNEL_ID_LENGTH = new Slot<>("push_max_channel_id_length", 1024);
    static final Slot<Long> CHANNEL_TIMEOUT = new Slot<>("push_channel_timeout", 5L);
    /** -1: not configured, v0.731's behaviour (§2.5) */
    static final Slot<Integer> MIN_MESSAGE_RECIPIENTS = new Slot<>("push_min_message_recipients", -1);
    // nginx core and standard modules, nginx's defaults
    static final Slot<Long> CLIENT_MAX_BODY_SIZE = new Slot<>("client_max_body_size", 1024L * 1024);
    static final Slot<String> DEFAULT_TYPE = new Slot<>("default_type", "text/plain");
    static final Slot<Long> KEEPALIVE_TIMEOUT = new Slot<>("keepalive_timeout", LocationSettings.DEFAULT_KEEPALIVE_SECONDS);
    /** null: not configured, the HTTP layer's defaults apply (protocol.md §9) */
    static final Slot<Long> CLIENT_HEADER_TIMEOUT = new Slot<>("client_header_timeout", null);
    static final Slot<Long> CLIENT_BODY_TIMEOUT = new Slot<>("client_body_timeout", null);
    static final Slot<Boolean> GZIP = new Slot<>("gzip", false);
    static final Slot<List<String>> GZIP_TYPES = new Slot<>("gzip_types", List.of());
    static final Slot<Long> GZIP_MIN_LENGTH = new Slot<>("gzip_min_length", 20L);
    /** as written, "off" included; null: no auth_basic */
    static final Slot<String> AUTH_BASIC = new Slot<>("auth_basic", null);
    static final Slot<Boolean> SATISFY_ANY = new Slot<>("satisfy", false);
    // rewrite module and redirects, protocol.md §8.9, §8.2
    static final Slot<Boolean> REWRITE_LOG = new Slot<>("rewrite_log", false);
    static final Slot<Boolean> ABSOLUTE_REDIRECT = new Slot<>("absolute_redirect", RedirectSettings.DEFAULT.absolute());
    static final Slot<Boolean> SERVER_NAME_IN_REDIRECT = new Slot<>("server_name_in_redirect",
            RedirectSettings.DEFAULT.serverNameInRedirect());
    static final Slot<Boolean> PORT_IN_REDIRECT = new Slot<>("port_in_redirect", RedirectSettings.DEFAULT.portInRedirect());

    private static final int HSL = DirectiveTable.HSL;
    private static final int SRV_LOC = DirectiveTable.SRV | DirectiveTable.LOC;
    private static final int HTTP = DirectiveTable.HTTP;

    private Directives() {
    }

    /** The entries; nchan's names (protocol.md §14.7) share the module's slot and contexts. */
    static List<DirectiveTable.Spec> entries() {
        return List.of(
                // §2.1 endpoints: the last of push_publisher / push_subscriber in a block wins
                entry("push_publisher", SRV_LOC, 0, 0, (n, c) -> {
                    c.endpoint = Endpoint.PUBLISHER;
                    c.endpointNode = n;
                    c.transports = null;
                }),
                entry("push_subscriber", SRV_LOC, 0, 1, Directives::subscriber),
                // README "Operating pushrelay": the last endpoint directive of a block wins, as above
                entry("pushrelay_metrics", SRV_LOC, 0, 0, (n, c) -> {
                    c.endpoint = Endpoint.METRICS;
                    c.endpointNode = n;
                }),
                entry("pushrelay_status", SRV_LOC, 0, 0, (n, c) -> {
                    c.endpoint = Endpoint.STATUS;
                    c.endpointNode = n;
                }),
                // §2.2: v0.731's handler: "off" sets min = max = 0, any other word is ignored
                entry("push_store_messages", HSL, 1, 1, (n, c) -> storeMessages(n, c, n.arg(0))),
                // §2.5: the pre-0.68 name of push_store_messages, which was a real flag; nchan's
                // name is a flag too (§14.7)
                entry("push_queue_messages", HSL, 1, 1, Directives::queueMessages),
                entry("nchan_store_messages", HSL, 1, 1, Directives::queueMessages),
                entry("push_max_message_buffer_length", HSL, 1, 1, Directives::maxMessages),
                entry("nchan_message_buffer_length", HSL, 1, 1, Directives::maxMessages),
                entry("nchan_message_max_buffer_length", HSL, 1, 1, Directives::maxMessages),
                entry("push_min_message_buffer_length", HSL, 1, 1, (n, c) -> {
                    if (c.minMessages != null) {
                        throw duplicate(n);
                    }
                    c.minMessages = intValue(n);
                    c.minNode = n;
                }),
                entry("push_message_buffer_length", HSL, 1, 1, (n, c) -> {
                    if (c.minMessages != null || c.maxMessages != null) {
                        throw duplicate(n);
                    }
                    c.minMessages = intValue(n);
                    c.maxMessages = c.minMessages;
                    c.minNode = n;
                    c.maxNode = n;
                }),
                value("push_message_timeout", HSL, MESSAGE_TIMEOUT, Directives::seconds),
                value("nchan_message_timeout", HSL, MESSAGE_TIMEOUT, Directives::seconds),
                value("push_delete_oldest_received_message", HSL, DELETE_OLDEST, Directives::flag),
                value("push_max_reserved_memory", HTTP, MAX_RESERVED_MEMORY, Directives::size),
                value("push_buffer_size", HTTP, MAX_RESERVED_MEMORY, Directives::size), // §2.5
                value("nchan_max_reserved_memory", HTTP, MAX_RESERVED_MEMORY, Directives::size),
                value("push_subscriber_concurrency", HSL, CONCURRENCY, n -> {
                    int i = ValueSyntax.prefixChoice(n.arg(0), List.of("first", "last", "broadcast"));
                    if (i < 0) {
                        throw n.error("invalid push_subscriber_concurrency value: \"" + n.arg(0) + "\"");
                    }
                    return i == 0 ? ConcurrencyMode.FIRST : i == 1 ? ConcurrencyMode.LAST : ConcurrencyMode.BROADCAST;
                }),
                value("push_subscriber_timeout", HSL, SUBSCRIBER_TIMEOUT, Directives::seconds),
                value("nchan_subscriber_timeout", HSL, SUBSCRIBER_TIMEOUT, Directives::seconds),
                value("push_authorized_channels_only", HSL, AUTHORIZED_ONLY, Directives::flag),
                value("nchan_subscribe_existing_channels_only", HSL, AUTHORIZED_ONLY, Directives::flag),
                value("push_max_channel_subscribers", HSL, MAX_SUBSCRIBERS, Directives::intValue),
                value("nchan_max_channel_subscribers", HSL, MAX_SUBSCRIBERS, Directives::intValue),
                value("push_ignore_queue_on_no_cache", HSL, IGNORE_QUEUE_ON_NO_CACHE, Directives::flag),
                value("push_channel_group", SRV_LOC, CHANNEL_GROUP, n -> n.arg(0)),
                value("nchan_channel_group", SRV_LOC, CHANNEL_GROUP, n -> n.arg(0)),
                value("push_max_channel_id_length", HSL, MAX_CHANNEL_ID_LENGTH, Directives::intValue),
                value("push_channel_timeout", HSL, CHANNEL_TIMEOUT, Directives::seconds),
                value("nchan_channel_timeout", HSL, CHANNEL_TIMEOUT, Directives::seconds),
                value("push_min_message_recipients", HSL, MIN_MESSAGE_RECIPIENTS, Directives::intValue),
                // nginx core and standard modules
                value("client_max_body_size", HSL, CLIENT_MAX_BODY_SIZE, Directives::size),
                value("default_type", HSL, DEFAULT_TYPE, n -> n.arg(0)),
                new DirectiveTable.Spec("keepalive_timeout", HSL, 1, 2, false, false, false,
                        slotHandler(KEEPALIVE_TIMEOUT, n -> {
                            long v = seconds(n); // the optional 2nd argument is the Keep-Alive header value
                            if (n.args().size() == 2 && ValueSyntax.seconds(n.arg(1)) < 0) {
                                throw n.error("invalid value \"" + n.arg(1) + "\"");
                            }
                            return v;
                        })),
                value("client_header_timeout", HTTP | DirectiveTable.SRV, CLIENT_HEADER_TIMEOUT, Directives::positiveMillis),
                value("client_body_timeout", HSL, CLIENT_BODY_TIMEOUT, Directives::positiveMillis),
                entry("large_client_header_buffers", HTTP | DirectiveTable.SRV, 2, 2, (n, c) -> {
                    if (c.headerBufferCount != null) {
                        throw duplicate(n);
                    }
                    long count = ValueSyntax.number(n.arg(0));
                    long size = ValueSyntax.size(n.arg(1));
                    if (count <= 0 || count > 1024 || size <= 0 || size > Integer.MAX_VALUE / count) {
                        throw n.error("invalid value \"" + n.arg(0) + " " + n.arg(1) + "\"");
                    }
                    c.headerBufferCount = (int) count;
                    c.headerBufferSize = size;
                }),
                value("gzip", HSL, GZIP, Directives::flag),
                new DirectiveTable.Spec("gzip_types", HSL, 1, DirectiveTable.MANY, false, false, false,
                        slotHandler(GZIP_TYPES, n -> {
                            List<String> types = new ArrayList<>();
                            for (String t : n.args()) {
                                types.add(t.toLowerCase(Locale.ROOT));
                            }
                            return types;
                        })),
                value("gzip_min_length", HSL, GZIP_MIN_LENGTH, Directives::size),
                entry("add_header", HSL, 2, 3, (n, c) -> {
                    if (n.args().size() == 3 && !n.arg(2).equals("always")) {
                        throw n.error("invalid parameter \"" + n.arg(2) + "\"");
                    }
                    if (c.addHeaders == null) {
                        c.addHeaders = new ArrayList<>();
                    }
                    c.addHeaders.add(new AddHeader(n.arg(0), n.arg(1), n.args().size() == 3));
                }),
                entry("allow", HSL | DirectiveTable.LMT, 1, 1, Directives::accessRule),
                entry("deny", HSL | DirectiveTable.LMT, 1, 1, Directives::accessRule),
                // access phase, protocol.md §8.10
                new DirectiveTable.Spec("auth_basic", HSL | DirectiveTable.LMT, 1, 1, false, false, false,
                        slotHandler(AUTH_BASIC, n -> n.arg(0))),
                entry("auth_basic_user_file", HSL | DirectiveTable.LMT, 1, 1, Directives::authUserFile),
                value("satisfy", HSL, SATISFY_ANY, n -> {
                    if (!n.arg(0).equals("all") && !n.arg(0).equals("any")) {
                        throw n.error("invalid value \"" + n.arg(0) + "\" in \"satisfy\" directive, it must be \"all\" or \"any\"");
                    }
                    return n.arg(0).equals("any");
                }),
                value("rewrite_log", HSL, REWRITE_LOG, Directives::flag),
                value("absolute_redirect", HSL, ABSOLUTE_REDIRECT, Directives::flag),
                value("server_name_in_redirect", HSL, SERVER_NAME_IN_REDIRECT, Directives::flag),
                value("port_in_redirect", HSL, PORT_IN_REDIRECT, Directives::flag),
                // internal redirects and static files, protocol.md §8.11, §8.6
                entry("error_page", HSL, 2, DirectiveTable.MANY, PageDirectives::errorPage),
                entry("try_files", SRV_LOC, 2, DirectiveTable.MANY, PageDirectives::tryFiles),
                entry("root", HSL, 1, 1, Directives::root),
                entry("alias", DirectiveTable.LOC, 1, 1, Directives::root),
                new DirectiveTable.Spec("types", HSL, 0, 0, true, false, false, (n, c) -> types(n, c, c.load.notes)),
                entry("index", HSL, 1, DirectiveTable.MANY, (n, c) -> {
                    if (c.index == null) {
                        c.index = new ArrayList<>();
                    }
                    for (String a : n.args()) {
                        if (a.isEmpty()) {
                            throw n.error("index \"\" in \"index\" directive is invalid");
                        }
                        c.index.add(a);
                    }
                }));
    }

    /** How one directive's arguments become its value. */
    interface Parser<T> {
        T parse(ConfNode n) throws ConfException;
    }

    private static DirectiveTable.Spec entry(String name, int contexts, int min, int max, DirectiveTable.Handler h) {
        return new DirectiveTable.Spec(name, contexts, min, max, false, false, false, h);
    }

    /** A one-argument directive that sets {@code slot} once per level. */
    private static <T> DirectiveTable.Spec value(String name, int contexts, Slot<T> slot, Parser<T> parser) {
        return new DirectiveTable.Spec(name, contexts, 1, 1, false, false, false, slotHandler(slot, parser));
    }

    /** nginx's slot handlers: a second setting at the same level is "duplicate". */
    static <T> DirectiveTable.Handler slotHandler(Slot<T> slot, Parser<T> parser) {
        return (n, c) -> {
            if (c.get(slot) != null) {
                throw duplicate(n);
            }
            c.set(slot, parser.parse(n));
        };
    }

    /**
     * The file is read now (start, reload), once per path per load; a relative path is
     * resolved against the main configuration file's directory (protocol.md §8.10).
     */
    private static void authUserFile(ConfNode n, LevelDirectives c) throws ConfException {
        if (c.authUserFile != null) {
            throw duplicate(n);
        }
        if (n.arg(0).indexOf('$') >= 0) {
            throw n.error("variables in \"auth_basic_user_file\" are not supported by pushrelay");
        }
        java.nio.file.Path p = c.load.baseDir.resolve(n.arg(0)).normalize();
        c.authUserFile = c.load.userFiles.computeIfAbsent(p, Htpasswd::load);
    }

    private static void subscriber(ConfNode n, LevelDirectives c) throws ConfException {
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

    private static void queueMessages(ConfNode n, LevelDirectives c) throws ConfException {
        if (ValueSyntax.flag(n.arg(0)) == null) {
            throw invalidFlag(n);
        }
        storeMessages(n, c, n.arg(0));
    }

    private static void maxMessages(ConfNode n, LevelDirectives c) throws ConfException {
        if (c.maxMessages != null) {
            throw duplicate(n);
        }
        c.maxMessages = intValue(n);
        c.maxNode = n;
    }

    private static void accessRule(ConfNode n, LevelDirectives c) throws ConfException {
        AccessRules.Rule r = AccessRules.parse(n.name().equals("allow"), n.arg(0));
        if (r == null) {
            throw n.error("invalid parameter \"" + n.arg(0) + "\"");
        }
        if (c.access == null) {
            c.access = new ArrayList<>();
        }
        c.access.add(r);
    }

    private static void root(ConfNode n, LevelDirectives c) throws ConfException {
        if (c.root != null) {
            throw n.error("\"" + n.name() + "\" directive is duplicate, \""
                    + (c.rootIsAlias ? "alias" : "root") + "\" directive was specified earlier");
        }
        c.root = n.arg(0);
        c.rootIsAlias = n.name().equals("alias");
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
