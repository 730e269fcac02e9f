package dev.pushrelay.server;

import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;

import java.util.List;

/** {@code --listen HOST:PORT}: every server block is served on that one address instead of its own. */
public final class ListenFlag {

    private ListenFlag() {
    }

    /** Parses "host:port", "[v6]:port" or "port" (on 127.0.0.1). */
    public static ListenAddress parse(String text) {
        String host = "127.0.0.1";
        String port = text;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) throw new IllegalArgumentException("expected [ADDRESS]:PORT, got \"" + text + "\"");
            host = text.substring(1, end);
            port = text.substring(end + 2);
        } else if (text.contains(":")) {
            int colon = text.lastIndexOf(':');
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.equals("*")) host = "0.0.0.0";
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) throw new NumberFormatException();
            return new ListenAddress(host, p, false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in \"" + text + "\"");
        }
    }

    public static Settings apply(Settings settings, ListenAddress listen) {
        List<ServerSettings> servers = settings.servers().stream()
                .map(s -> new ServerSettings(List.of(listen), s.serverNames(), s.where(), s.routing()))
                .toList();
        return new Settings(settings.file(), settings.maxReservedMemory(), servers, settings.ignored(),
                settings.errorLogs(), settings.process());
    }
}
