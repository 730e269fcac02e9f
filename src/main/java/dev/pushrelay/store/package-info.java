/**
 * Where channels live: the {@link dev.pushrelay.store.Broker} contract the endpoints use,
 * the in-memory {@link dev.pushrelay.store.ChannelStore} behind
 * {@link dev.pushrelay.store.MemoryBroker}, and the Redis broker in {@code store.redis}
 * (protocol.md §13). Imports the domain only; never HTTP.
 */
package dev.pushrelay.store;
