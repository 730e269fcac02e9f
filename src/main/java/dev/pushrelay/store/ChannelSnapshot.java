package dev.pushrelay.store;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;

import java.util.List;

/**
 * What a restart must carry over for one channel (README "Operating pushrelay"): its stored
 * messages, oldest first, with their ids, bodies, Content-Types, expiries and
 * delete-oldest-received thresholds, and the id counter, so that ids after a restart keep
 * increasing (protocol.md §3.2, §4.2). Waiting subscribers are not part of it: they are
 * answered at stop and re-poll with their cursors.
 *
 * @param key the complete channel key (protocol.md §1)
 * @param lastId the id of the last message published on the channel, stored or not; null if none
 * @param lastSeen epoch second of the last subscriber lookup ("last requested", §3.4)
 * @param idleDeadline epoch second after which the channel may be collected when empty (§6.2)
 * @param messages the stored messages, oldest first, ids strictly increasing
 */
public record ChannelSnapshot(String key, Cursor lastId, long lastSeen, long idleDeadline, List<Message> messages) {
    public ChannelSnapshot {
        messages = List.copyOf(messages);
    }
}
