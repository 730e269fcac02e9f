package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The directive registry: one entry per directive pushrelay accepts, saying where it may
 * appear (nginx's context flags), how many arguments it takes, whether it is a block,
 * whether it is only accepted and reported as ignored (it cannot change push behaviour),
 * and how it sets its level's values. The entries are declared beside their parsing in
 * {@link Directives}, {@link RewriteDirectives}, {@link LogDirectives}, {@link StreamDirectives}
 * and {@link RedisDirectives}; the structure (http, server, location...), the directives whose
 * place decides what they do, and the ignored ones here. Contexts follow nginx:
 * main = top of nginx.conf, http, server, location (nested too), events.
 */
final class DirectiveTable {

    static final int MAIN = 1, EVENTS = 2, HTTP = 4, SRV = 8, LOC = 16, LMT = 32;
    static final int HSL = HTTP | SRV | LOC;
    static final int ANY = MAIN | EVENTS | HTTP | SRV | LOC;
    static final int MANY = Integer.MAX_VALUE;

    /**
     * @param block true for a block directive ({@code name ... { }})
     * @param ignored accepted, reported in {@link Settings#ignored()}, otherwise without effect
     * @param skipBody for ignored blocks: the body is not interpreted (map, upstream...)
     * @param handler sets the directive's values on the level it appears in; null for
     *        structure and for the entries whose class applies them itself
     */
    record Spec(String name, int contexts, int minArgs, int maxArgs, boolean block, boolean ignored,
                boolean skipBody, Handler handler) {

        Spec(String name, int contexts, int minArgs, int maxArgs, boolean block, boolean ignored, boolean skipBody) {
            this(name, contexts, minArgs, maxArgs, block, ignored, skipBody, null);
        }
    }

    /** Applies one directive to the level of the block it appears in. */
    interface Handler {
        void apply(ConfNode n, LevelDirectives level) throws ConfException;
    }

    /**
     * nginx directives that would change request handling in ways pushrelay does not
     * implement; silently ignoring them would serve something else than nginx did.
     */
    static final java.util.Set<String> UNSUPPORTED = java.util.Set.of("auth_request", "perl", "js_content",
            "content_by_lua", "content_by_lua_block", "content_by_lua_file", "push_stream_publisher");

    private static final Map<String, Spec> SPECS = build();

    private DirectiveTable() {
    }

    /** The spec for {@code name}, or null when the directive is unknown. */
    static Spec find(String name) {
        Spec s = SPECS.get(name);
        if (s != null) {
            return s;
        }
        // Families of http-module directives that only matter for proxying, caching,
        // TLS and other upstream modules: accepted everywhere in http, reported ignored.
        for (String prefix : List.of("proxy_", "fastcgi_", "uwsgi_", "scgi_", "grpc_", "ssl_", "memcached_",
                "open_file_cache", "client_body_", "client_header_", "limit_req", "limit_conn", "real_ip_",
                "log_", "lingering_", "keepalive_", "gzip_", "gunzip", "charset", "ssi", "sub_filter",
                "autoindex", "userid", "open_log_file_cache", "http2", "brotli")) {
            if (name.startsWith(prefix)) {
                return new Spec(name, HSL | LMT, 0, MANY, false, true, false);
            }
        }
        return null;
    }

    /** nginx's block and argument-count checks of one directive, with nginx's messages. */
    static void check(ConfNode n, Spec spec) throws ConfException {
        if (spec.block() && !n.isBlock()) {
            throw n.error("directive \"" + n.name() + "\" has no opening \"{\"");
        }
        if (!spec.block() && n.isBlock()) {
            throw n.error("directive \"" + n.name() + "\" is not terminated by \";\"");
        }
        if (n.args().size() < spec.minArgs() || n.args().size() > spec.maxArgs()) {
            throw n.error("invalid number of arguments in \"" + n.name() + "\" directive");
        }
    }

    private static Map<String, Spec> build() {
        Map<String, Spec> m = new HashMap<>();
        // structure
        put(m, "http", MAIN, 0, 0, true);
        put(m, "events", MAIN, 0, 0, true);
        put(m, "server", HTTP, 0, 0, true);
        put(m, "location", SRV | LOC, 1, 2, true);
        put(m, "listen", SRV, 1, MANY, false);
        put(m, "server_name", SRV, 1, MANY, false);
        put(m, "limit_except", LOC, 1, MANY, true);
        // the error log is process-wide: where it appears decides whether it is used
        put(m, "error_log", MAIN | HSL, 1, 2, false);
        // push module and nginx directives around it (protocol.md §2, §8), rewrite module (§8.9), logs
        Directives.entries().forEach(s -> m.put(s.name(), s));
        RewriteDirectives.entries().forEach(s -> m.put(s.name(), s));
        LogDirectives.entries().forEach(s -> m.put(s.name(), s));
        // the pushrelay process: stop, reload, restart (README "Operating pushrelay")
        put(m, "pid", MAIN, 1, 1, false);
        put(m, "pushrelay_state_path", MAIN, 1, 1, false);
        put(m, "pushrelay_shutdown_window", MAIN | HTTP, 1, 1, false);
        put(m, "worker_processes", MAIN, 1, 1, false);

        // accepted and ignored: core (main) context
        for (String n : List.of("user", "worker_rlimit_nofile", "worker_rlimit_core",
                "daemon", "master_process", "env", "load_module", "pcre_jit", "worker_cpu_affinity",
                "worker_priority", "worker_shutdown_timeout", "lock_file", "timer_resolution",
                "working_directory", "debug_points", "ssl_engine", "thread_pool", "worker_rlimit_sigpending")) {
            ignore(m, n, MAIN, false, false);
        }
        for (String n : List.of("stream", "mail")) {
            ignore(m, n, MAIN, true, true);
        }
        // events
        for (String n : List.of("worker_connections", "multi_accept", "use", "accept_mutex", "accept_mutex_delay",
                "debug_connection", "worker_aio_requests")) {
            ignore(m, n, EVENTS, false, false);
        }
        // http-level blocks whose content cannot change push behaviour
        for (String n : List.of("map", "geo", "split_clients", "perl_modules")) {
            ignore(m, n, HTTP, true, true);
        }
        for (String n : List.of("server_names_hash_bucket_size", "server_names_hash_max_size",
                "variables_hash_bucket_size", "variables_hash_max_size", "map_hash_bucket_size",
                "map_hash_max_size", "proxy_cache_path", "fastcgi_cache_path", "limit_req_zone",
                "limit_conn_zone")) {
            ignore(m, n, HTTP, false, false);
        }
        for (String n : List.of("sendfile", "sendfile_max_chunk", "tcp_nopush", "tcp_nodelay",
                "server_tokens", "types_hash_max_size", "types_hash_bucket_size",
                "send_timeout", "reset_timedout_connection",
                "resolver", "resolver_timeout", "aio", "directio", "output_buffers", "postpone_output",
                "msie_padding", "msie_refresh", "underscores_in_headers", "ignore_invalid_headers", "limit_rate",
                "limit_rate_after", "chunked_transfer_encoding", "source_charset", "override_charset",
                "etag", "expires", "if_modified_since", "recursive_error_pages", "merge_slashes",
                "internal", "log_not_found", "log_subrequest", "uninitialized_variable_warn",
                "set_real_ip_from", "more_set_headers", "more_clear_headers", "listen_backlog",
                "send_lowat", "max_ranges", "request_pool_size", "connection_pool_size", "disable_symlinks",
                "read_ahead", "open_file_cache", "add_trailer", "stub_status")) {
            ignore(m, n, HSL, false, false);
        }
        RedisDirectives.register(m); // nchan's Redis directives and upstream blocks, protocol.md §13
        StreamDirectives.specs().forEach(s -> m.put(s.name(), s));
        return Map.copyOf(m);
    }

    private static void put(Map<String, Spec> m, String name, int ctx, int min, int max, boolean block) {
        m.put(name, new Spec(name, ctx, min, max, block, false, false));
    }

    private static void ignore(Map<String, Spec> m, String name, int ctx, boolean block, boolean skipBody) {
        m.put(name, new Spec(name, ctx, 0, MANY, block, true, skipBody));
    }
}
