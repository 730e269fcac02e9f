package dev.pushrelay.http;

import dev.pushrelay.channel.ChannelInfo;

/**
 * The channel-info body a publisher gets, in the format the module's Accept negotiation
 * picks (protocol.md §3.4), byte for byte. The Content-Type is the clean media type that
 * chose the format (the module's one-byte-too-long value is a bug we do not copy).
 */
enum ChannelInfoFormat {
    PLAIN("text/plain"),
    JSON("application/json"),
    YAML("text/yaml"),
    XML("application/xml");

    /** The default media type of the format; negotiation may pick another spelling. */
    final String defaultType;

    ChannelInfoFormat(String defaultType) {
        this.defaultType = defaultType;
    }

    /** Subtypes tried after "text/" and "application/", in the module's table order. */
    private static final String[] SUBTYPES = {"json", "yaml", "xml", "x-json", "x-yaml"};
    private static final ChannelInfoFormat[] SUBTYPE_FORMATS = {JSON, YAML, XML, JSON, YAML};

    /** A negotiated format and the Content-Type to send with it. */
    record Choice(ChannelInfoFormat format, String contentType) { }

    static final Choice DEFAULT = new Choice(PLAIN, "text/plain");

    /**
     * The module's "lame content-negotiation (without regard for qvalues)", §3.4: the
     * left-most supported type wins, prefixes match, and every text/plain resets the best
     * position to its own.
     */
    static Choice negotiate(String accept) {
        if (accept == null || accept.isEmpty()) return DEFAULT;
        int length = accept.length();
        int priority = length - 1;
        ChannelInfoFormat format = PLAIN;
        String type = "text/plain";
        for (int p = accept.indexOf("text/"); p >= 0; p = accept.indexOf("text/", p + 1)) {
            int s = p + 5;
            if (startsWithPrefix(accept, s, "plain")) {
                format = PLAIN;
                type = "text/plain";
                priority = s;
            }
            for (int i = 0; i < SUBTYPES.length; i++) {
                if (startsWithPrefix(accept, s, SUBTYPES[i]) && priority > s) {
                    format = SUBTYPE_FORMATS[i];
                    type = "text/" + SUBTYPES[i];
                    priority = s;
                }
            }
        }
        for (int p = accept.indexOf("application/"); p >= 0; p = accept.indexOf("application/", p + 1)) {
            int s = p + 12;
            for (int i = 0; i < SUBTYPES.length; i++) {
                if (startsWithPrefix(accept, s, SUBTYPES[i]) && priority > s) {
                    format = SUBTYPE_FORMATS[i];
                    type = "application/" + SUBTYPES[i];
                    priority = s;
                }
            }
        }
        return new Choice(format, type);
    }

    /** The module compares min(remaining, len(option)) bytes, so a cut-off "text/js" still matches json. */
    private static boolean startsWithPrefix(String s, int from, String option) {
        int n = Math.min(s.length() - from, option.length());
        return s.regionMatches(from, option, 0, n);
    }

    /** The body for {@code info}, exactly as the module's templates write it (§3.4). */
    String render(ChannelInfo info) {
        return switch (this) {
            case PLAIN -> "queued messages: " + info.messages() + "\r\n"
                    + "last requested: " + info.requestedSecondsAgo() + " sec. ago (-1=never)\r\n"
                    + "active subscribers: " + info.subscribers();
            case JSON -> "{\"messages\": " + info.messages() + ", \"requested\": " + info.requestedSecondsAgo()
                    + ", \"subscribers\": " + info.subscribers() + " }";
            case XML -> "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\r\n<channel>\r\n  <messages>" + info.messages()
                    + "</messages>\r\n  <requested>" + info.requestedSecondsAgo() + "</requested>\r\n  <subscribers>"
                    + info.subscribers() + "</subscribers>\r\n</channel>";
            case YAML -> "---\r\nmessages: " + info.messages() + "\r\nrequested: " + info.requestedSecondsAgo()
                    + "\r\nsubscribers: " + info.subscribers() + "\r\n\r\n";
        };
    }
}
