package dev.metropolis.gateway;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.task.Durations;
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
                    "on shutdown, how long in-flight requests may finish"));

    public static final List<Option> OPTIONS = CommandLine.concat(OWN_OPTIONS, NatsOptions.OPTIONS, LogOptions.OPTIONS);

    private GatewayCommand() {}

    public static GatewayConfig config(Map<String, String> values) {
        return new GatewayConfig(values.get("--host"), CommandLine.integer(values, "--port"), NatsOptions.settings(values),
                CommandLine.wholeNumber(values, "--max-body"), CommandLine.integer(values, "--max-in-flight"),
                Durations.parse(values.get("--discovery-interval")), Durations.parse(values.get("--shutdown-grace")));
    }
}
