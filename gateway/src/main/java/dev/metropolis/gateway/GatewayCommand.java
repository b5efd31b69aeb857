package dev.metropolis.gateway;

import dev.metropolis.task.Rate;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.task.Durations;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The options of {@code metropolis gateway}, turned into one {@link GatewayConfig}. */
public final class GatewayCommand {
    public static final List<Option> OWN_OPTIONS = List.of(
            new Option("--host", "METROPOLIS_HTTP_HOST", "ADDRESS", "0.0.0.0", "address the HTTP server binds"),
            new Option("--port", "METROPOLIS_HTTP_PORT", "PORT", "8080", "HTTP port"),
            new Option("--max-body", "METROPOLIS_MAX_BODY", "BYTES", "1048576",
                    "largest request body accepted (413 beyond; also capped by NATS max_payload)"),
            new Option("--max-in-flight", "METROPOLIS_MAX_IN_FLIGHT", "N", "1024",
                    "most requests handled at once (503 beyond)"),
            new Option("--discovery-interval", "METROPOLIS_DISCOVERY_INTERVAL", "DURATION", "2s",
                    "how often routes are refreshed from NATS service discovery"),
            new Option("--shutdown-grace", "METROPOLIS_SHUTDOWN_GRACE", "DURATION", "10s",
                    "on shutdown, how long in-flight requests may finish"),
            new Option("--auth", "METROPOLIS_AUTH", "FILE|off", null,
                    "the auth file (API keys, JWT; reloaded on change), or 'off'; required outside dev"),
            new Option("--rate", "METROPOLIS_RATE", "N/s", null,
                    "rate limit per route and caller for tasks that declare none (e.g. 100/s; burst = N)"),
            new Option("--cors-origins", "METROPOLIS_CORS_ORIGINS", "ORIGIN[,ORIGIN]", null,
                    "origins browsers may call from ('*' for any); CORS is off without"),
            new Option("--cors-methods", "METROPOLIS_CORS_METHODS", "METHODS", "GET,POST,PUT,PATCH,DELETE",
                    "methods a CORS preflight allows"),
            new Option("--cors-headers", "METROPOLIS_CORS_HEADERS", "HEADERS",
                    "Authorization,Content-Type,X-API-Key,X-Request-Id,Request-Timeout",
                    "request headers a CORS preflight allows"),
            new Option("--cors-credentials", "METROPOLIS_CORS_CREDENTIALS", "true|false", "false",
                    "whether browsers may send credentials cross-origin"),
            new Option("--cors-max-age", "METROPOLIS_CORS_MAX_AGE", "DURATION", "10m",
                    "how long a browser may cache a preflight's answer"),
            new Option("--tls-cert", "METROPOLIS_TLS_CERT", "PEM", null, "certificate chain: serve HTTPS (with --tls-key)"),
            new Option("--tls-key", "METROPOLIS_TLS_KEY", "PEM", null, "PKCS#8 private key for --tls-cert"));
    /** The value of {@code --auth} that runs without authentication. */
    public static final String AUTH_OFF = "off";

    public static final List<Option> OPTIONS = CommandLine.concat(OWN_OPTIONS, NatsOptions.OPTIONS, LogOptions.OPTIONS);

    private GatewayCommand() {}

    public static GatewayConfig config(Map<String, String> values) {
        return new GatewayConfig(values.get("--host"), CommandLine.integer(values, "--port"), NatsOptions.settings(values),
                CommandLine.wholeNumber(values, "--max-body"), CommandLine.integer(values, "--max-in-flight"),
                Durations.parse(values.get("--discovery-interval")), Durations.parse(values.get("--shutdown-grace")),
                edge(values));
    }

    /**
     * The edge options. Without {@code --auth} the gateway refuses to start: serving every task to
     * anyone who reaches the port must be a choice ({@code --auth off}), not an omission. {@code dev}
     * defaults it to off.
     */
    static EdgeConfig edge(Map<String, String> values) {
        String auth = values.get("--auth");
        if (auth == null || auth.isBlank()) {
            throw new IllegalArgumentException("--auth is required: an auth file (see 'Securing the gateway' in the README),"
                    + " or --auth off to let anyone who reaches the port call every task");
        }
        String rate = values.get("--rate");
        String origins = values.get("--cors-origins");
        CorsSettings cors = origins == null || origins.isBlank() ? CorsSettings.OFF
                : new CorsSettings(list(origins), list(values.get("--cors-methods")), list(values.get("--cors-headers")),
                        CommandLine.isOn(values, "--cors-credentials"), Durations.parse(values.get("--cors-max-age")));
        return new EdgeConfig(auth.equals(AUTH_OFF) ? null : Path.of(auth), rate == null || rate.isBlank() ? null
                : Rate.parse(rate), cors, path(values.get("--tls-cert")), path(values.get("--tls-key")));
    }

    private static List<String> list(String joined) {
        return Arrays.stream(joined.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
