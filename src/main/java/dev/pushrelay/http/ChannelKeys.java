package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;

/**
 * The store key of a channel: {@code push_channel_group + "/" + id}, the id cut to
 * push_max_channel_id_length (protocol.md §1). Unlike the module, keys of any length work
 * (its length-mod-256 bug is not copied).
 */
final class ChannelKeys {

    private ChannelKeys() {
    }

    static String key(LocationSettings location, String id) {
        int max = location.maxChannelIdLength();
        String cut = id.length() > max ? id.substring(0, max) : id;
        return location.channelGroup() + "/" + cut;
    }
}
