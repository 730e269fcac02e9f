/**
 * The single-process {@link dev.pushrelay.store.ChannelStore}: channels in a concurrent
 * map, one lock per channel, and a byte budget standing in for the module's shared-memory
 * zone (protocol.md §6.3).
 */
package dev.pushrelay.store.memory;
