package dev.metropolis.nats;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to reach NATS: server URLs and, optionally, credentials and TLS stores.
 *
 * @param servers            one or more URLs ({@code nats://host:4222}, {@code tls://...}); more than one
 *                           lets the client fail over inside a cluster
 * @param credentialsFile    a NATS {@code .creds} file (JWT + NKey), or null
 * @param token              an auth token, or null
 * @param user               a user name (with {@code password}), or null
 * @param password           the user's password, or null
 * @param truststore         a JKS/PKCS12 trust store for TLS, or null for the JVM's default
 * @param truststorePassword its password, or null
 * @param keystore           a JKS/PKCS12 key store holding a client certificate (mutual TLS), or null
 * @param keystorePassword   its password, or null
 */
public record NatsSettings(
        List<String> servers,
        Path credentialsFile,
        String token,
        String user,
        String password,
        Path truststore,
        String truststorePassword,
        Path keystore,
        String keystorePassword) {

    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";

    public NatsSettings {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one NATS server URL is required");
        }
        for (String server : servers) {
            if (!server.matches("(nats|tls|ws|wss)://[^\\s]+|[^\\s:/]+(:\\d+)?")) {
                throw new IllegalArgumentException("'" + server + "' is not a NATS URL such as nats://127.0.0.1:4222");
            }
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("a NATS user needs a password and a password needs a user");
        }
        int methods = (credentialsFile != null ? 1 : 0) + (token != null ? 1 : 0) + (user != null ? 1 : 0);
        if (methods > 1) {
            throw new IllegalArgumentException("choose one NATS authentication: a credentials file, a token, or user and password");
        }
    }

    /** Plain settings for one or more comma-separated URLs, without authentication. */
    public static NatsSettings of(String urls) {
        return new NatsSettings(splitUrls(urls), null, null, null, null, null, null, null, null);
    }

    /** Splits a comma-separated URL list as NATS_URL may hold it. */
    public static List<String> splitUrls(String urls) {
        return java.util.Arrays.stream(urls.split(","))
                .map(String::trim)
                .filter(url -> !url.isEmpty())
                .toList();
    }

    /** The server list with any password in a URL masked, for logs. */
    public String describe() {
        return String.join(",", servers.stream().map(url -> url.replaceAll("//[^@/]*@", "//***@")).toList());
    }
}
