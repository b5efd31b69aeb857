package dev.metropolis.host;

import dev.metropolis.host.CommandLine.Option;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.script.Durations;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;

/** The options of {@code metropolis host} (and {@code dev}), turned into one {@link HostConfig}. */
final class HostCommand {
    static final List<Option> OPTIONS = List.of(
            new Option("--scripts", "METROPOLIS_SCRIPTS", "DIR", "scripts", "folder of task scripts to serve"),
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
            new Option("--nats-keystore-password", "NATS_KEYSTORE_PASSWORD", "PASSWORD", null, "its password"),
            new Option("--drain-timeout", "METROPOLIS_DRAIN_TIMEOUT", "DURATION", "10s",
                    "on shutdown, how long in-flight messages may finish"),
            new Option("--log-level", "METROPOLIS_LOG_LEVEL", "LEVEL", "info", "error, warn, info, debug or trace"));

    private HostCommand() {}

    static HostConfig config(Map<String, String> values) {
        NatsSettings nats = new NatsSettings(
                NatsSettings.splitUrls(values.get("--nats")),
                path(values.get("--nats-creds")),
                values.get("--nats-token"),
                values.get("--nats-user"),
                values.get("--nats-password"),
                path(values.get("--nats-truststore")),
                values.get("--nats-truststore-password"),
                path(values.get("--nats-keystore")),
                values.get("--nats-keystore-password"));
        return new HostConfig(Path.of(values.get("--scripts")), nats, Durations.parse(values.get("--drain-timeout")));
    }

    static Level logLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("log level '" + name + "' is not one of error, warn, info, debug, trace");
        };
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }
}
