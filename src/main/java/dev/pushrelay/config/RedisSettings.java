package dev.pushrelay.config;

import java.util.List;

/**
 * Where a location's channels live when they are shared through Redis (protocol.md §13),
 * after http → server → location inheritance and upstream resolution. Two locations with
 * equal settings share one connection and one set of channels.
 *
 * @param url {@code redis://[:password@]host:port[/db]}: the first server named
 * @param seeds every server the upstream names, {@code url} first: the nodes of one Redis
 *        Cluster, any reachable one of which finds the others (as nchan's seeds)
 * @param where {@code file:line} of the upstream's second {@code nchan_redis_server} when
 *        there are several (for the error when they turn out not to be a cluster), else null
 * @param namespace prefix of every key and notification channel (nchan_redis_namespace, "" by default)
 * @param connectTimeoutMs nchan_redis_connect_timeout
 * @param commandTimeoutMs nchan_redis_command_timeout: a command unanswered for this long fails (503)
 */
public record RedisSettings(String url, List<String> seeds, String where, String namespace, long connectTimeoutMs,
                            long commandTimeoutMs) {

    public RedisSettings {
        seeds = List.copyOf(seeds);
    }

    /** One server. */
    public RedisSettings(String url, String namespace, long connectTimeoutMs, long commandTimeoutMs) {
        this(url, List.of(url), null, namespace, connectTimeoutMs, commandTimeoutMs);
    }
}
