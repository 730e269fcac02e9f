/**
 * Where channels live: the {@link dev.pushrelay.store.ChannelStore} contract, with an
 * in-memory implementation now and room for a shared (Redis) one later. Imports the
 * domain only; never HTTP.
 */
package dev.pushrelay.store;
