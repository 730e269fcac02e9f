package dev.pushrelay.config;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The password field of an htpasswd line, checked as nginx's ngx_crypt does (protocol.md
 * §8.10): {@code {PLAIN}}, {@code {SHA}}, {@code {SSHA}} and {@code $apr1$} by nginx itself,
 * anything else by the system's crypt(3), which on Linux reads {@code $1$} (MD5),
 * {@code $5$}/{@code $6$} (SHA-256/512), {@code $2a$}/{@code $2b$}/{@code $2y$} (bcrypt) and
 * 13-character DES. Comparisons take the same time whatever differs.
 */
final class PasswordHash {

    private PasswordHash() {
    }

    /** Whether {@code password} (the bytes the client sent) matches {@code hash}; false for a format not read. */
    static boolean matches(byte[] password, String hash) {
        try {
            if (hash.startsWith("{PLAIN}")) {
                return same(password, hash.substring(7).getBytes(StandardCharsets.ISO_8859_1));
            }
            if (hash.startsWith("{SHA}")) {
                return same(sha1(password, new byte[0]), Base64.getDecoder().decode(hash.substring(5)));
            }
            if (hash.startsWith("{SSHA}")) {
                byte[] raw = Base64.getDecoder().decode(hash.substring(6));
                if (raw.length < 20) {
                    return false;
                }
                byte[] salt = Arrays.copyOfRange(raw, 20, raw.length);
                return same(sha1(password, salt), Arrays.copyOf(raw, 20));
            }
            if (hash.startsWith("$apr1$")) {
                return same(Md5Crypt.apr1Crypt(password, hash), hash);
            }
            if (hash.startsWith("$1$")) {
                return same(Md5Crypt.md5Crypt(password, hash), hash);
            }
            if (hash.startsWith("$5$")) {
                return same(Sha2Crypt.sha256Crypt(password, hash), hash);
            }
            if (hash.startsWith("$6$")) {
                return same(Sha2Crypt.sha512Crypt(password, hash), hash);
            }
            if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
                return BCrypt.verifyer().verify(password, hash.getBytes(StandardCharsets.US_ASCII)).verified;
            }
            if (hash.length() == 13 && !hash.startsWith("$")) {
                return same(UnixCrypt.crypt(password, hash.substring(0, 2)), hash);
            }
            return false;
        } catch (IllegalArgumentException e) {
            return false; // a malformed hash or salt matches nothing, as crypt() failing does in nginx
        }
    }

    private static byte[] sha1(byte[] password, byte[] salt) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(password);
            d.update(salt);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static boolean same(String a, String b) {
        return same(a.getBytes(StandardCharsets.ISO_8859_1), b.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
