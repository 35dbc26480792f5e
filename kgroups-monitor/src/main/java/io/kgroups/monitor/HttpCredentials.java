package io.kgroups.monitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The credentials the monitor's HTTP side accepts: tokens, each as {@code Authorization: Bearer
 * TOKEN} or as the password of basic auth under any user name (a browser and Prometheus'
 * {@code basic_auth} can send a token that way), and user:password pairs for basic auth. Only
 * SHA-256 digests are kept, and a presented credential is compared with every one of them by
 * {@link MessageDigest#isEqual} (a digest has one length, so the comparison takes the same time
 * whatever the guess, and no comparison stops at the first match).
 */
public final class HttpCredentials {
    private static final HttpCredentials NONE = new HttpCredentials(List.of(), List.of());

    private final List<byte[]> tokens;
    private final List<byte[]> users;

    private HttpCredentials(List<byte[]> tokens, List<byte[]> users) {
        this.tokens = tokens;
        this.users = users;
    }

    /** None: every request is let in (a monitor on a loopback address). */
    public static HttpCredentials none() {
        return NONE;
    }

    /** Bearer tokens (or basic auth's password under any user name); none may be empty. */
    public static HttpCredentials tokens(Collection<String> tokens) {
        return new HttpCredentials(digests(tokens), List.of());
    }

    /**
     * Basic auth's {@code user:password} pairs, as the lines of a users file (split at the first
     * ':'); neither part may be empty: else an IllegalArgumentException that names the line (1 the
     * first), never its text.
     */
    public static HttpCredentials users(List<String> userPasswords) {
        for (int i = 0; i < userPasswords.size(); i++) {
            String pair = userPasswords.get(i);
            int colon = pair.indexOf(':');
            if (colon < 1 || colon == pair.length() - 1) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not user:password (neither part empty)");
            }
        }
        return new HttpCredentials(List.of(), digests(userPasswords));
    }

    /** These credentials and {@code other}'s. */
    public HttpCredentials and(HttpCredentials other) {
        List<byte[]> allTokens = new ArrayList<>(tokens);
        allTokens.addAll(other.tokens);
        List<byte[]> allUsers = new ArrayList<>(users);
        allUsers.addAll(other.users);
        return new HttpCredentials(List.copyOf(allTokens), List.copyOf(allUsers));
    }

    /** No credential configured. */
    public boolean isEmpty() {
        return tokens.isEmpty() && users.isEmpty();
    }

    /** Whether any token is configured (and so a Bearer credential can be accepted). */
    boolean bearer() {
        return !tokens.isEmpty();
    }

    /** Whether the value of an Authorization header is one of these credentials; null or malformed: no. */
    boolean accepts(String authorization) {
        if (authorization == null) {
            return false;
        }
        int space = authorization.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = authorization.substring(0, space).toLowerCase(Locale.ROOT);
        String credential = authorization.substring(space + 1).trim();
        if (scheme.equals("bearer")) {
            return matches(tokens, credential);
        }
        if (!scheme.equals("basic")) {
            return false;
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(credential), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return false;
        }
        // Both, always: which of the two matched is not told by the time taken.
        boolean user = matches(users, pair);
        boolean token = matches(tokens, pair.substring(colon + 1));
        return user | token;
    }

    private static boolean matches(List<byte[]> digests, String presented) {
        byte[] digest = digest(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    private static List<byte[]> digests(Collection<String> secrets) {
        List<byte[]> digests = new ArrayList<>();
        for (String secret : secrets) {
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("an empty credential");
            }
            digests.add(digest(secret));
        }
        return List.copyOf(digests);
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Never the credentials: a log line or an exception message that prints this says only how many. */
    @Override
    public String toString() {
        return "HttpCredentials[" + tokens.size() + " token(s), " + users.size() + " user(s)]";
    }
}
