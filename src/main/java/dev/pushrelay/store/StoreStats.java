package dev.pushrelay.store;

/**
 * Totals across all channels at one moment.
 *
 * @param channels channels held
 * @param messages messages stored
 * @param subscribers long-poll requests waiting
 * @param reservedBytes bytes charged against the reserved-memory budget
 * @param budgetBytes the budget (push_max_reserved_memory)
 */
public record StoreStats(long channels, long messages, long subscribers, long reservedBytes, long budgetBytes) {
}
