package dev.pushrelay.config;

/**
 * Where a location's channels live when they are shared through Redis (protocol.md §13),
 * after http → server → location inheritance and upstream resolution. Two locations with
 * equal settings share one connection and one set of channels.
 *
 * @param url {@code redis://[:password@]host:port[/db]}
 * @param namespace prefix of every key and notification channel (nchan_redis_namespace, "" by default)
 * @param connectTimeoutMs nchan_redis_connect_timeout
 * @param commandTimeoutMs nchan_redis_command_timeout: a command unanswered for this long fails (503)
 */
public record RedisSettings(String url, String namespace, long connectTimeoutMs, long commandTimeoutMs) {
}
