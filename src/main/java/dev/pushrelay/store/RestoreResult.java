package dev.pushrelay.store;

/**
 * What {@link ChannelStore#restore} did with a saved state.
 *
 * @param channels channels restored
 * @param messages messages restored
 * @param expired messages skipped because they had expired meanwhile (protocol.md §5.6)
 * @param overBudget channels skipped because the memory budget could not hold them (§6.3)
 * @param invalid channels skipped because their snapshot was inconsistent or already present
 */
public record RestoreResult(int channels, long messages, long expired, int overBudget, int invalid) {
}
