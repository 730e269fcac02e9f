package dev.pushrelay.config;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.logging.AccessLog;

import java.util.List;
import java.util.Locale;

/**
 * The merged settings of one location (http → server → location inheritance done).
 *
 * @param name for logs, e.g. {@code "location /publish (pushrelay.conf:3)"}
 * @param endpoint push_publisher / push_subscriber / neither
 * @param pollMode push_subscriber's argument
 * @param channelGroup push_channel_group ("" by default)
 * @param maxChannelIdLength push_max_channel_id_length (default 1024; longer ids are truncated)
 * @param buffer storage settings for publishes through this location
 * @param subscribe long-poll settings for subscribes through this location
 * @param subscriberTimeoutSeconds push_subscriber_timeout, 0 = wait forever
 * @param ignoreQueueOnNoCache push_ignore_queue_on_no_cache
 * @param defaultType default_type (nginx default "text/plain")
 * @param clientMaxBodySize client_max_body_size in bytes (default 1m; 0 = unlimited)
 * @param access allow/deny rules (inherited only when this level has none)
 * @param addHeaders add_header, in order (inherited only when this level has none)
 * @param gzip gzip on|off (default off)
 * @param gzipTypes gzip_types, lowercased; always holds "text/html"; "*" = every type
 * @param gzipMinLength gzip_min_length in bytes (default 20)
 * @param keepaliveTimeoutSeconds keepalive_timeout (default 75; 0 disables keep-alive)
 * @param returnAction the location's own first {@code return}, text unevaluated; null when none.
 *        The evaluated form for a request is routing's {@code RouteMatch.response()}.
 * @param root the document root ("html" by default) as written; the HTTP layer resolves a
 *        relative root against the main configuration file's directory (protocol.md §8.6);
 *        null when {@code alias} is in effect
 * @param alias alias of the location, or null
 * @param index index files (default ["index.html"])
 * @param minMessageRecipients historical push_min_message_recipients (protocol.md §2.5, §5.5),
 *        -1 when not configured (v0.731 behaviour)
 * @param accessLogs access_log files and formats in effect (empty: none, or access_log off)
 * @param client client_header_timeout, client_body_timeout, large_client_header_buffers
 * @param types the types {} map in effect (the innermost level that has one, shared with the
 *        other locations inheriting it), {@link MimeMap#BUILTIN} when no level has one
 * @param accessPolicy allow/deny, auth_basic, satisfy and limit_except together: nginx's access
 *        phase (protocol.md §8.10); its rules are {@code access}
 * @param errorPages error_page by status code (protocol.md §8.11), inherited only when a level has none
 * @param tryFiles the location's own try_files, or null
 * @param redis the Redis this location's channels live in (protocol.md §13), null for the in-memory store
 * @param streams EventSource and cursor-token settings (protocol.md §14)
 * @param rewriteLog rewrite_log: the rewrite directives log their steps at notice level (§8.9)
 * @param redirects how a redirect's relative Location is made absolute (§8.2)
 */
public record LocationSettings(
        String name,
        Endpoint endpoint,
        PollMode pollMode,
        String channelGroup,
        int maxChannelIdLength,
        BufferPolicy buffer,
        SubscribePolicy subscribe,
        long subscriberTimeoutSeconds,
        boolean ignoreQueueOnNoCache,
        String defaultType,
        long clientMaxBodySize,
        AccessRules access,
        List<AddHeader> addHeaders,
        boolean gzip,
        List<String> gzipTypes,
        long gzipMinLength,
        long keepaliveTimeoutSeconds,
        Return returnAction,
        String root,
        String alias,
        List<String> index,
        int minMessageRecipients,
        List<AccessLog> accessLogs,
        ConfiguredClientLimits client,
        MimeMap types,
        AccessPolicy accessPolicy,
        java.util.Map<Integer, ErrorPage> errorPages,
        TryFiles tryFiles,
        RedisSettings redis,
        StreamSettings streams,
        boolean rewriteLog,
        RedirectSettings redirects) {

    public static final long DEFAULT_KEEPALIVE_SECONDS = 75;

    public LocationSettings {
        access = access == null ? AccessRules.NONE : access;
        addHeaders = addHeaders == null ? List.of() : List.copyOf(addHeaders);
        gzipTypes = gzipTypes == null ? List.of("text/html") : List.copyOf(gzipTypes);
        index = index == null ? List.of("index.html") : List.copyOf(index);
        accessLogs = accessLogs == null ? List.of() : List.copyOf(accessLogs);
        client = client == null ? ConfiguredClientLimits.UNSET : client;
        types = types == null ? MimeMap.BUILTIN : types;
        accessPolicy = accessPolicy == null
                ? (access.allowsAll() ? AccessPolicy.NONE : new AccessPolicy(access, null, null, false, null))
                : accessPolicy;
        errorPages = errorPages == null ? java.util.Map.of() : java.util.Map.copyOf(errorPages);
        streams = streams == null ? StreamSettings.DEFAULT : streams;
        redirects = redirects == null ? RedirectSettings.DEFAULT : redirects;
    }

    /**
     * Whether nginx's gzip filter would compress a response of this location with
     * {@code contentType} (parameters ignored) and {@code contentLength} (-1 = unknown):
     * gzip on, type listed (or "*"), and length unknown or at least gzip_min_length.
     * (The client's Accept-Encoding is the HTTP layer's business.)
     */
    public boolean gzipApplies(String contentType, long contentLength) {
        if (!gzip) {
            return false;
        }
        if (contentLength >= 0 && contentLength < gzipMinLength) {
            return false;
        }
        if (gzipTypes.contains("*")) {
            return true;
        }
        if (contentType == null) {
            return false;
        }
        String t = contentType;
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi);
        }
        return gzipTypes.contains(t.strip().toLowerCase(Locale.ROOT));
    }
}
