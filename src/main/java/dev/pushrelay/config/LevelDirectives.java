package dev.pushrelay.config;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The directives set directly at one level (http, server or location), null = unset,
 * as nginx's per-module conf structs hold NGX_CONF_UNSET before merging. Mutable, used
 * only while loading.
 */
final class LevelDirectives {

    final ConfNode node;
    final LevelDirectives parent;
    /** what this load shares (base directory, notes, variables, the http level) */
    final LoadContext load;

    // endpoint (not inherited: nginx does not merge clcf->handler)
    Endpoint endpoint;
    PollMode pollMode;
    ConfNode endpointNode;
    /** nchan_subscriber's transports; null = every one (push_subscriber); not inherited, as endpoint */
    java.util.Set<SubscriberTransport> transports;
    /** nchan_publisher's transports (protocol.md §14.9); not inherited, as endpoint */
    boolean publishHttp;
    boolean publishWebSocket;

    // push module, protocol.md §2: the buffer lengths are checked together at merge (§2.2)
    Integer minMessages;
    ConfNode minNode;
    Integer maxMessages;
    ConfNode maxNode;

    /** the values of the directives declared with a {@link Slot}; absent = unset */
    private final java.util.Map<Slot<?>, Object> values = new java.util.HashMap<>();

    // nginx
    /** large_client_header_buffers */
    Integer headerBufferCount;
    Long headerBufferSize;
    List<AddHeader> addHeaders;
    List<AccessRules.Rule> access;
    /** auth_basic_user_file, read at load */
    Htpasswd authUserFile;
    /** limit_except: the methods it lists (GET adds HEAD) and its own level, child of this one */
    java.util.Set<String> limitExceptMethods;
    /** error_page by code (inherited only when this level has none); try_files (not inherited) */
    java.util.Map<Integer, ErrorPage> errorPages;
    TryFiles tryFiles;
    LevelDirectives limitExcept;
    String root;
    boolean rootIsAlias;
    List<String> index;
    /**
     * types {}: extension (lowercased) → MIME type, every types block of this level merged
     * in file order; null when the level has none (it then inherits the enclosing map whole)
     */
    java.util.Map<String, String> types;
    private MimeMap mimeMap;

    // logs: null = unset; access_log off wins over same-level access_logs
    List<LogDirectives.AccessLogDraft> accessLogs;
    boolean accessLogOff;
    /** log_format, http level only */
    final java.util.Map<String, dev.pushrelay.logging.LogFormat> logFormats = new java.util.LinkedHashMap<>();

    /** nchan_redis_* and nchan_use_redis (protocol.md §13) */
    final RedisDirectives.Level redis = new RedisDirectives.Level();

    // streaming transports (protocol.md §14), merged by StreamDirectives
    Long eventSourcePing;
    Long webSocketPing;
    Boolean gapHeader;
    List<ValueTemplate> channelIds;
    String splitDelimiter;
    Integer firstMessage;

    /** set / return, in file order */
    final List<RewriteStep> rewrite = new ArrayList<>();

    LevelDirectives(ConfNode node, LevelDirectives parent) {
        this.node = node;
        this.parent = parent;
        this.load = parent.load;
    }

    /** The http level of {@code load}. */
    LevelDirectives(LoadContext load) {
        this.node = null;
        this.parent = null;
        this.load = load;
    }

    /** The value this level sets, or null. */
    @SuppressWarnings("unchecked")
    <T> T get(Slot<T> slot) {
        return (T) values.get(slot);
    }

    <T> void set(Slot<T> slot, T value) {
        values.put(slot, value);
    }

    /**
     * This level's types as one value, built on first use (after the whole file is read),
     * so that every location inheriting it shares the instance; null when the level has no
     * types block.
     */
    MimeMap mimeMap() {
        if (mimeMap == null && types != null) {
            mimeMap = new MimeMap(types);
        }
        return mimeMap;
    }
}
