package dev.metropolis.command;

import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.nats.NatsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The NATS connection options every long-running command shares. */
public final class NatsOptions {
    public static final List<Option> OPTIONS = List.of(
            new Option("--nats", "NATS_URL", "URL[,URL]", NatsSettings.DEFAULT_URL,
                    "NATS server URL(s), comma-separated; tls:// for TLS"),
            new Option("--nats-creds", "NATS_CREDS", "FILE", null, "NATS credentials file (JWT and NKey)"),
            new Option("--nats-token", "NATS_TOKEN", "TOKEN", null, "NATS auth token"),
            new Option("--nats-user", "NATS_USER", "USER", null, "NATS user (with --nats-password)"),
            new Option("--nats-password", "NATS_PASSWORD", "PASSWORD", null, "NATS password"),
            new Option("--nats-truststore", "NATS_TRUSTSTORE", "FILE", null,
                    "TLS trust store (JKS/PKCS12) for the server certificate; default: the JVM's"),
            new Option("--nats-truststore-password", "NATS_TRUSTSTORE_PASSWORD", "PASSWORD", null, "its password"),
            new Option("--nats-keystore", "NATS_KEYSTORE", "FILE", null, "TLS key store with a client certificate (mutual TLS)"),
            new Option("--nats-keystore-password", "NATS_KEYSTORE_PASSWORD", "PASSWORD", null, "its password"));

    private NatsOptions() {}

    public static NatsSettings settings(Map<String, String> values) {
        return new NatsSettings(
                NatsSettings.splitUrls(values.get("--nats")),
                path(values.get("--nats-creds")),
                values.get("--nats-token"),
                values.get("--nats-user"),
                values.get("--nats-password"),
                path(values.get("--nats-truststore")),
                values.get("--nats-truststore-password"),
                path(values.get("--nats-keystore")),
                values.get("--nats-keystore-password"));
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }
}
