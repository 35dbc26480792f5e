package io.kgroups.cli;

import io.kgroups.monitor.HttpCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Who may read {@code kgroups monitor} over HTTP, and whether over TLS: the credentials and the
 * keystore's password come from files or environment variables, never from the command line
 * (which {@code ps} shows every user of the machine, and shell history keeps). A file option
 * wins over its variable. What is read is checked here, so that a bad file is a usage error
 * before the monitor connects to anything; no message names a secret.
 */
final class MonitorAccess {
    static final String TOKEN_ENV = "KGROUPS_MONITOR_TOKEN";
    static final String BASIC_ENV = "KGROUPS_MONITOR_BASIC";
    static final String METRICS_TOKEN_ENV = "KGROUPS_MONITOR_METRICS_TOKEN";
    static final String TLS_PASSWORD_ENV = "KGROUPS_MONITOR_TLS_PASSWORD";
    /** 16 characters: guessing a shorter token over HTTP is within reach. */
    private static final int MIN_TOKEN = 16;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "Bearer tokens, one a line (several: while one is rotated), that every endpoint but "
                    + "/health/live then requires, as 'Authorization: Bearer TOKEN' or as the password of basic auth "
                    + "under any user name; each of 16 characters or more (e.g. openssl rand -hex 32). Or in $" + TOKEN_ENV
                    + ".")
    private Path tokenFile;

    @Option(names = "--http-basic-file", paramLabel = "FILE",
            description = "Basic-auth users, one user:password a line, that every endpoint but /health/live then "
                    + "requires (a browser asks for them). Or in $" + BASIC_ENV + ".")
    private Path basicFile;

    @Option(names = "--metrics-token-file", paramLabel = "FILE",
            description = "Tokens (16 characters or more) that open /metrics only (Prometheus' authorization "
                    + "credentials_file, or its basic_auth password under any user name); the other credentials open it "
                    + "too. Or in $" + METRICS_TOKEN_ENV + ".")
    private Path metricsTokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the key and certificate of this PKCS#12 keystore, whose password is in "
                    + "--tls-keystore-password-file or $" + TLS_PASSWORD_ENV + ".")
    private Path keyStoreFile;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "The file that holds the keystore's password (its first line).")
    private Path keyStorePasswordFile;

    /**
     * What this run was given: credentials (none: none), /metrics' own, a keystore (null: plain
     * HTTP), and warnings (a secret file other users can read).
     */
    record Settings(HttpCredentials credentials, HttpCredentials metricsCredentials, KeyStore keyStore, char[] password,
            List<String> warnings) {
        boolean tls() {
            return keyStore != null;
        }
    }

    Settings read(Map<String, String> environment) {
        List<String> warnings = new ArrayList<>();
        HttpCredentials tokens = tokens("--http-token-file", tokenFile, TOKEN_ENV, environment, warnings);
        List<String> users = secretLines("--http-basic-file", basicFile, BASIC_ENV, environment, warnings);
        HttpCredentials credentials = tokens;
        if (users != null) {
            try {
                credentials = credentials.and(HttpCredentials.users(users));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(source("--http-basic-file", basicFile, BASIC_ENV) + ": " + e.getMessage());
            }
        }
        HttpCredentials metrics = tokens("--metrics-token-file", metricsTokenFile, METRICS_TOKEN_ENV, environment, warnings);
        return keyStore(credentials, metrics, environment, warnings);
    }

    private Settings keyStore(HttpCredentials credentials, HttpCredentials metrics, Map<String, String> environment,
            List<String> warnings) {
        if (keyStoreFile == null) {
            if (keyStorePasswordFile != null) {
                throw CliException.usage("--tls-keystore-password-file is the password of --tls-keystore: give that too");
            }
            return new Settings(credentials, metrics, null, null, warnings);
        }
        List<String> lines = secretLines("--tls-keystore-password-file", keyStorePasswordFile, TLS_PASSWORD_ENV, environment,
                warnings);
        if (lines == null) {
            throw CliException.usage("--tls-keystore needs its password: put it in a file named by "
                    + "--tls-keystore-password-file, or in $" + TLS_PASSWORD_ENV);
        }
        char[] password = lines.get(0).toCharArray();
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, password);
            if (!hasKey(keyStore)) {
                throw CliException.usage("--tls-keystore " + keyStoreFile + " holds no private key (a trust store?): give "
                        + "the keystore with the monitor's key and certificate");
            }
            return new Settings(credentials, metrics, keyStore, password, warnings);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException || e.getMessage() != null
                    && e.getMessage().contains("password")) {
                throw new CliException(CliException.USAGE, "--tls-keystore " + keyStoreFile + ": the password does not "
                        + "open it: check " + source("--tls-keystore-password-file", keyStorePasswordFile, TLS_PASSWORD_ENV), e);
            }
            if (Files.isRegularFile(keyStoreFile)) {
                throw new CliException(CliException.USAGE, "--tls-keystore " + keyStoreFile + ": not a PKCS#12 keystore: "
                        + "make one with keytool -genkeypair -storetype PKCS12, or openssl pkcs12 -export", e);
            }
            throw FileError.usage("--tls-keystore", keyStoreFile, e, "give a PKCS#12 keystore");
        } catch (GeneralSecurityException e) {
            throw new CliException(CliException.USAGE, "--tls-keystore " + keyStoreFile + ": cannot be read as PKCS#12 ("
                    + e.getMessage() + ")", e);
        }
    }

    private static boolean hasKey(KeyStore keyStore) throws KeyStoreException {
        for (String alias : Collections.list(keyStore.aliases())) {
            if (keyStore.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    /** Tokens from a file or a variable; none given: no credentials. */
    private static HttpCredentials tokens(String option, Path file, String variable, Map<String, String> environment,
            List<String> warnings) {
        List<String> tokens = secretLines(option, file, variable, environment, warnings);
        if (tokens == null) {
            return HttpCredentials.none();
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).length() < MIN_TOKEN) {
                throw CliException.usage(source(option, file, variable) + ": line " + (i + 1) + " is a token shorter than "
                        + MIN_TOKEN + " characters: make one with e.g. openssl rand -hex 32");
            }
        }
        return HttpCredentials.tokens(tokens);
    }

    /**
     * The non-blank lines of the file (or else the variable), stripped; null when neither is given.
     * Given and holding nothing is an error; a file other users may read, a warning.
     */
    static List<String> secretLines(String option, Path file, String variable, Map<String, String> environment,
            List<String> warnings) {
        String text;
        if (file != null) {
            try {
                text = Files.readString(file);
                if (readableByOthers(file)) {
                    warnings.add(option + " " + file + " can be read by other users of this machine: chmod 600 " + file);
                }
            } catch (IOException e) {
                throw FileError.usage(option, file, e, "give a file this user can read");
            }
        } else {
            text = environment.get(variable);
            if (text == null) {
                return null;
            }
        }
        List<String> lines = new ArrayList<>();
        text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        if (lines.isEmpty()) {
            throw CliException.usage(source(option, file, variable) + " is empty: write the secret in it");
        }
        return lines;
    }

    /** Whether the group or others may read {@code file} (false where the file system has no POSIX permissions). */
    private static boolean readableByOthers(Path file) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Where a secret came from, as an error names it: the option and file, or the variable. */
    private static String source(String option, Path file, String variable) {
        return file != null ? option + " " + file : "$" + variable;
    }
}
