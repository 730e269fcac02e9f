package dev.pushrelay.config;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * nginx's access phase for one location (protocol.md §8.10): allow/deny, then auth_basic,
 * combined by {@code satisfy all} (the first refusal answers: 403 before 401, as nginx's
 * access module runs before auth_basic) or {@code satisfy any} (one acceptance is enough;
 * else 401 wins over 403). A {@code limit_except} block gives the methods it does not list
 * a policy of its own, merged with the location's.
 *
 * @param realm auth_basic's realm, null when off (or no user file)
 * @param users the auth_basic_user_file, null when none
 * @param limitExcept null when the location has none
 */
public record AccessPolicy(AccessRules rules, String realm, Htpasswd users, boolean satisfyAny,
                           LimitExcept limitExcept) {

    public static final AccessPolicy NONE = new AccessPolicy(AccessRules.NONE, null, null, false, null);

    /**
     * @param methods the methods the block lists (GET implies HEAD), upper case; every other
     *        method, unknown ones included, gets {@code policy}
     */
    public record LimitExcept(Set<String> methods, AccessPolicy policy) {
        public LimitExcept {
            methods = Set.copyOf(methods);
        }
    }

    public AccessPolicy {
        rules = rules == null ? AccessRules.NONE : rules;
    }

    /** True when nothing can be refused (no rules, no auth, no limit_except): skip the phase. */
    public boolean open() {
        return rules.allowsAll() && (realm == null || users == null) && limitExcept == null;
    }

    public AccessDecision decide(String method, String remoteAddr, String authorization) {
        if (limitExcept != null && !limitExcept.methods().contains(method)) {
            return limitExcept.policy().decide(method, remoteAddr, authorization);
        }
        AccessDecision access = rules.allowsAll() ? null : rules.allows(remoteAddr) ? AccessDecision.ALLOW
                : new AccessDecision(403, null, "access forbidden by rule");
        if (!satisfyAny) {
            if (access != null && !access.allowed()) {
                return access;
            }
            AccessDecision auth = auth(authorization);
            return auth == null ? AccessDecision.ALLOW : auth;
        }
        if (access != null && access.allowed()) {
            return access;
        }
        AccessDecision auth = auth(authorization);
        if (auth == null || auth.allowed() || auth.status() == 500) {
            return auth != null ? auth : access == null ? AccessDecision.ALLOW : access;
        }
        return auth.status() == 401 || access == null ? auth : access;
    }

    /** nginx's ngx_http_auth_basic_handler; null when auth_basic does not apply (declined). */
    private AccessDecision auth(String authorization) {
        if (realm == null || users == null) {
            return null;
        }
        BasicCredentials c = BasicCredentials.parse(authorization);
        if (c == null) {
            return new AccessDecision(401, realm, null);
        }
        if (users.failure() != null) {
            return new AccessDecision(users.missing() ? 403 : 500, null, users.failure());
        }
        String hash = users.hash(c.user());
        if (hash == null) {
            return new AccessDecision(401, realm, "user \"" + c.user() + "\" was not found in \"" + users.path() + "\"");
        }
        if (!PasswordHash.matches(c.password().getBytes(StandardCharsets.ISO_8859_1), hash)) {
            return new AccessDecision(401, realm, "user \"" + c.user() + "\": password mismatch");
        }
        return AccessDecision.ALLOW;
    }
}
