/**
 * The state file of a restart without loss ({@code pushrelay_state_path}): the on-disk
 * format of the store's channel snapshots. The domain and the store know nothing of files.
 */
package dev.pushrelay.state;
