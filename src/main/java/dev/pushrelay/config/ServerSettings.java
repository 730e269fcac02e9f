package dev.pushrelay.config;

import java.util.List;

/**
 * One server block.
 *
 * @param listens its listen addresses (default 127.0.0.1:8080)
 * @param serverNames server_name values as written ("" when absent)
 * @param where {@code file:line} of the block, for messages
 */
public record ServerSettings(List<Listen> listens, List<String> serverNames, String where) {
    public ServerSettings {
        listens = List.copyOf(listens);
        serverNames = List.copyOf(serverNames);
    }
}
