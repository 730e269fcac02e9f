package dev.pushrelay.metrics;

import java.util.Map;

/**
 * The running totals since start, for the status page: cheap to read (plain counters),
 * so a poll every second costs nothing.
 *
 * @param published messages accepted by publishers (201 or 202)
 * @param delivered message responses sent to subscribers (at once or after waiting)
 * @param endings parked long-polls ended, by how, every {@link Ending} present
 * @param publishOutcomes POST/PUT answers on publisher locations by "201", "202", "4xx", "5xx"
 * @param logLinesDropped access/error log lines dropped because the disk could not keep up
 * @param redisSubscribers long-polls parked on this node for channels kept in Redis (protocol.md
 *        §13): this node's own, so the sum over the nodes is every waiter
 */
public record Totals(long published, long delivered, Map<Ending, Long> endings, Map<String, Long> publishOutcomes,
                     long logLinesDropped, long redisSubscribers) {

    public Totals {
        endings = Map.copyOf(endings);
        publishOutcomes = Map.copyOf(publishOutcomes);
    }

    public long ending(Ending how) {
        return endings.getOrDefault(how, 0L);
    }

    public long outcome(String key) {
        return publishOutcomes.getOrDefault(key, 0L);
    }
}
