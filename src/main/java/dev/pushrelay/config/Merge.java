package dev.pushrelay.config;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * nginx's merge of http → server → location (→ nested location): a value unset at a
 * level is taken from the enclosing level, finally from the default
 * ({@code ngx_conf_merge_*_value}). Lists (add_header, allow/deny, index) and the types
 * map are inherited only when the level defines none, as nginx does (a level's types {}
 * replaces the inherited map; the inherited map is shared, not copied). The endpoint is not inherited
 * (nginx does not merge the content handler), nor are set/return (rewrite module).
 */
final class Merge {

    static final int DEFAULT_MIN = 1;
    static final int DEFAULT_MAX = 10;

    private Merge() {
    }

    /**
     * @param chain outermost (http) first, the level being built last
     * @param serverName the server's first server_name ("" when none), for server_name_in_redirect
     */
    static LocationSettings settings(String name, List<LevelDirectives> chain, String serverName) throws ConfException {
        LevelDirectives own = chain.get(chain.size() - 1);
        checkBufferLengths(chain);
        int min = get(chain, c -> c.minMessages, DEFAULT_MIN);
        int max = get(chain, c -> c.maxMessages, DEFAULT_MAX);
        long channelTimeout = get(chain, Directives.CHANNEL_TIMEOUT);
        BufferPolicy buffer = new BufferPolicy(min, max, get(chain, Directives.MESSAGE_TIMEOUT),
                get(chain, Directives.DELETE_OLDEST), channelTimeout, get(chain, Directives.MIN_MESSAGE_RECIPIENTS));
        SubscribePolicy subscribe = new SubscribePolicy(get(chain, Directives.CONCURRENCY),
                get(chain, Directives.AUTHORIZED_ONLY), get(chain, Directives.MAX_SUBSCRIBERS), channelTimeout);
        List<String> gzipTypes = new ArrayList<>(get(chain, Directives.GZIP_TYPES));
        if (!gzipTypes.contains("text/html")) {
            gzipTypes.add(0, "text/html"); // nginx always compresses text/html
        }
        LevelDirectives rootLevel = null;
        for (int i = chain.size() - 1; i >= 0 && rootLevel == null; i--) {
            if (chain.get(i).root != null) {
                rootLevel = chain.get(i);
            }
        }
        String root = rootLevel == null ? "html" : rootLevel.rootIsAlias ? null : rootLevel.root;
        String alias = rootLevel != null && rootLevel.rootIsAlias ? rootLevel.root : null;
        Return returnAction = null;
        for (RewriteStep s : own.rewrite) {
            if (s instanceof RewriteStep.Ret r) {
                returnAction = new Return(r.code(), r.text() == null ? null : r.text().source());
                break;
            }
        }
        List<AccessRules.Rule> access = get(chain, c -> c.access, List.of());
        AccessPolicy policy = policy(chain, access);
        if (own.limitExcept != null) {
            List<LevelDirectives> inner = new ArrayList<>(chain);
            inner.add(own.limitExcept);
            AccessPolicy limited = policy(inner, get(inner, c -> c.access, List.of()));
            policy = new AccessPolicy(policy.rules(), policy.realm(), policy.users(), policy.satisfyAny(),
                    new AccessPolicy.LimitExcept(own.limitExceptMethods, limited));
        }
        return new LocationSettings(
                name,
                own.endpoint == null ? Endpoint.NONE : own.endpoint,
                own.pollMode == null ? PollMode.LONG_POLL : own.pollMode,
                get(chain, Directives.CHANNEL_GROUP),
                get(chain, Directives.MAX_CHANNEL_ID_LENGTH),
                buffer,
                subscribe,
                get(chain, Directives.SUBSCRIBER_TIMEOUT),
                get(chain, Directives.IGNORE_QUEUE_ON_NO_CACHE),
                get(chain, Directives.DEFAULT_TYPE),
                get(chain, Directives.CLIENT_MAX_BODY_SIZE),
                access.isEmpty() ? AccessRules.NONE : new AccessRules(access),
                get(chain, c -> c.addHeaders, List.of()),
                get(chain, Directives.GZIP),
                gzipTypes,
                get(chain, Directives.GZIP_MIN_LENGTH),
                get(chain, Directives.KEEPALIVE_TIMEOUT),
                returnAction,
                root,
                alias,
                get(chain, c -> c.index, List.of("index.html")),
                get(chain, Directives.MIN_MESSAGE_RECIPIENTS),
                LogDirectives.merge(chain),
                new ConfiguredClientLimits(get(chain, Directives.CLIENT_HEADER_TIMEOUT), get(chain, Directives.CLIENT_BODY_TIMEOUT),
                        get(chain, c -> c.headerBufferCount, null), get(chain, c -> c.headerBufferSize, null)),
                get(chain, LevelDirectives::mimeMap, MimeMap.BUILTIN),
                policy,
                get(chain, c -> c.errorPages, java.util.Map.of()),
                own.tryFiles,
                RedisDirectives.merge(chain.stream().map(c -> c.redis).toList()),
                StreamDirectives.merge(chain),
                get(chain, Directives.REWRITE_LOG),
                new RedirectSettings(get(chain, Directives.ABSOLUTE_REDIRECT), get(chain, Directives.SERVER_NAME_IN_REDIRECT),
                        get(chain, Directives.PORT_IN_REDIRECT), serverName));
    }

    /** auth_basic "off" or no user file switches auth off; satisfy defaults to all. */
    private static AccessPolicy policy(List<LevelDirectives> chain, List<AccessRules.Rule> access) {
        String realm = get(chain, Directives.AUTH_BASIC);
        Htpasswd users = get(chain, c -> c.authUserFile, null);
        if ("off".equals(realm)) {
            realm = null;
        }
        boolean any = get(chain, Directives.SATISFY_ANY);
        AccessRules rules = access.isEmpty() ? AccessRules.NONE : new AccessRules(access);
        if (rules.allowsAll() && (realm == null || users == null)) {
            return AccessPolicy.NONE;
        }
        return new AccessPolicy(rules, realm, users, any, null);
    }

    /**
     * The push module's merge-time check (protocol.md §2.2), run at every merged level as
     * nginx runs merge_loc_conf for the server and for each location. Reported at the
     * innermost directive that set max (or, if max is inherited, min).
     */
    static void checkBufferLengths(List<LevelDirectives> chain) throws ConfException {
        int min = get(chain, c -> c.minMessages, DEFAULT_MIN);
        int max = get(chain, c -> c.maxMessages, DEFAULT_MAX);
        if (max >= min) {
            return;
        }
        ConfNode at = null;
        for (int i = chain.size() - 1; i >= 0 && at == null; i--) {
            LevelDirectives c = chain.get(i);
            at = c.maxNode != null ? c.maxNode : c.minNode;
        }
        String msg = "push_max_message_buffer_length cannot be smaller than push_min_message_buffer_length.";
        throw at == null ? new ConfException(msg) : at.error(msg);
    }

    /** The innermost level's value of {@code slot}, else its default. */
    static <T> T get(List<LevelDirectives> chain, Slot<T> slot) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            T v = chain.get(i).get(slot);
            if (v != null) {
                return v;
            }
        }
        return slot.byDefault();
    }

    private static <T> T get(List<LevelDirectives> chain, Function<LevelDirectives, T> field, T dflt) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            T v = field.apply(chain.get(i));
            if (v != null) {
                return v;
            }
        }
        return dflt;
    }
}
