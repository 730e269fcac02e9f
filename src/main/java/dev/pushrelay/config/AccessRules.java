package dev.pushrelay.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * nginx's {@code allow}/{@code deny} of one location: rules checked in order, the first
 * that covers the client decides; no matching rule means allowed. An IPv4 rule also
 * covers the IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}), as nginx does.
 */
public final class AccessRules {

    /** Allows everyone (no rules). */
    public static final AccessRules NONE = new AccessRules(List.of());

    /**
     * @param address the network address bytes (4 or 16), null for {@code all}
     * @param prefix CIDR prefix length in bits
     */
    public record Rule(boolean allow, byte[] address, int prefix, String source) {
        public Rule {
            address = address == null ? null : address.clone();
        }

        boolean covers(byte[] client) {
            if (address == null) {
                return true;
            }
            if (client.length != address.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((client[i] & mask) != (address[i] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return (allow ? "allow " : "deny ") + source;
        }
    }

    private final List<Rule> rules;

    public AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No allow/deny at all: every client is allowed without looking at its address. */
    public boolean allowsAll() {
        return rules.isEmpty();
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Whether a client at {@code remoteAddr} (an IP literal) may use the location. */
    public boolean allows(String remoteAddr) {
        if (rules.isEmpty()) {
            return true;
        }
        byte[] client = literal(remoteAddr);
        byte[] v4 = client != null && client.length == 16 && isV4Mapped(client) ? tail4(client) : null;
        for (Rule r : rules) {
            if (r.address == null) {
                return r.allow;
            }
            if (client == null) {
                continue;
            }
            if (r.covers(client) || (v4 != null && r.covers(v4))) {
                return r.allow;
            }
        }
        return true;
    }

    /**
     * Parses an allow/deny argument: {@code all}, an address, or address/prefix.
     * Returns null when invalid.
     */
    static Rule parse(boolean allow, String value) {
        if (value.equals("all")) {
            return new Rule(allow, null, 0, value);
        }
        String addr = value;
        int prefix = -1;
        int slash = value.indexOf('/');
        if (slash >= 0) {
            addr = value.substring(0, slash);
            long p = ValueSyntax.number(value.substring(slash + 1));
            if (p < 0) {
                return null;
            }
            prefix = (int) Math.min(p, 1000);
        }
        byte[] bytes = literal(addr);
        if (bytes == null) {
            return null;
        }
        int max = bytes.length * 8;
        if (prefix < 0) {
            prefix = max;
        }
        if (prefix > max) {
            return null;
        }
        return new Rule(allow, bytes, prefix, value);
    }

    /** The bytes of an IPv4 or IPv6 literal, without any DNS lookup; null if not a literal. */
    public static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (t.indexOf(':') < 0) {
            String[] parts = t.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                long n = parts[i].length() > 3 ? -1 : ValueSyntax.number(parts[i]);
                if (n < 0 || n > 255) {
                    return null;
                }
                b[i] = (byte) n;
            }
            return b;
        }
        int pct = t.indexOf('%');
        if (pct >= 0) {
            t = t.substring(0, pct);
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
        }
        try {
            // a string made only of hex digits, ':' and '.' with a ':' is parsed as a literal, never resolved
            byte[] b = InetAddress.getByName(t).getAddress();
            if (b.length == 4) {
                // Java folds ::ffff:a.b.c.d to IPv4; keep the mapped IPv6 form
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                return m;
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    private static byte[] tail4(byte[] a) {
        byte[] b = new byte[4];
        System.arraycopy(a, 12, b, 0, 4);
        return b;
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
