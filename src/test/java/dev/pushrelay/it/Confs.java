package dev.pushrelay.it;

/** Configuration texts shared by the integration tests. */
final class Confs {

    private Confs() {
    }

    /**
     * The seed article's deployment (conf/pushrelay.conf) as module 0.691+ ran it, i.e.
     * without the 0.68-era {@code push_min_message_recipients 0;} that would keep only the
     * newest message (protocol.md §5.5; {@link #SEED_AS_WRITTEN} has it).
     */
    static final String SEED = """
            location /publish {
                set $push_channel_id $arg_id;
                push_publisher;
                push_store_messages on;
                push_message_timeout 2h;
                push_max_message_buffer_length 10;
            }
            location /activity {
                push_subscriber;
                push_subscriber_concurrency broadcast;
                set $push_channel_id $arg_id;
                default_type text/plain;
            }
            """;

    /** The seed article's deployment exactly as written, 0.68-era line included. */
    static final String SEED_AS_WRITTEN = SEED.replace("push_max_message_buffer_length 10;",
            "push_max_message_buffer_length 10;\n    push_min_message_recipients 0;");

    /** One publisher and one subscriber location with extra directives each. */
    static String pubSub(String publisherExtra, String subscriberExtra) {
        return pubSub(publisherExtra, "push_subscriber;", subscriberExtra);
    }

    /** Like {@link #pubSub(String, String)} with interval-poll subscribers. */
    static String pubIntervalSub(String publisherExtra, String subscriberExtra) {
        return pubSub(publisherExtra, "push_subscriber interval-poll;", subscriberExtra);
    }

    private static String pubSub(String publisherExtra, String subscriberDirective, String subscriberExtra) {
        return """
                location /pub {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    %s
                }
                location /sub {
                    set $push_channel_id $arg_id;
                    %s
                    %s
                }
                """.formatted(publisherExtra, subscriberDirective, subscriberExtra);
    }
}
