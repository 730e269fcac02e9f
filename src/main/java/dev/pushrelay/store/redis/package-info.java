/**
 * Channels shared by several pushrelay processes through one Redis (protocol.md §13): the
 * {@link dev.pushrelay.store.redis.RedisBroker}, its Lua script ({@code channel.lua}) and the
 * node's {@link dev.pushrelay.store.redis.WaiterHub}. Imports the domain and Lettuce; never HTTP.
 */
package dev.pushrelay.store.redis;
