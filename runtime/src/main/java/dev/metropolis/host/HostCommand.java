package dev.metropolis.host;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.observe.ObserveAddress;
import dev.metropolis.stream.MissingStreams;
import dev.metropolis.task.Durations;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The options of {@code metropolis host}, turned into one {@link HostConfig}. */
public final class HostCommand {
    public static final List<Option> OWN_OPTIONS = List.of(
            new Option("--scripts", "METROPOLIS_SCRIPTS", "DIR", "scripts", "folder of task scripts to serve"),
            new Option("--drain-timeout", "METROPOLIS_DRAIN_TIMEOUT", "DURATION", "10s",
                    "on shutdown or reload, how long in-flight messages may finish"),
            new Option("--watch", "METROPOLIS_WATCH", null, "false",
                    "hot reload: follow edits, additions and deletions in the scripts folder"),
            new Option("--metrics-host", "METROPOLIS_METRICS_HOST", "ADDRESS", "0.0.0.0",
                    "address of the host's metrics and health endpoint"),
            new Option("--metrics-port", "METROPOLIS_METRICS_PORT", "PORT", "9090",
                    "port of /observe/metrics and /observe/health (0: none)"),
            new Option("--secrets", "METROPOLIS_SECRETS", "DIR", null,
                    "folder of secrets, one file each, that scripts may be granted ([allow] secrets)"),
            new Option("--http-max-response", "METROPOLIS_HTTP_MAX_RESPONSE", "BYTES",
                    Long.toString(HostConfig.DEFAULT_MAX_HTTP_RESPONSE), "largest HTTP response body a script may read"),
            new Option("--missing-streams", "METROPOLIS_MISSING_STREAMS", "create|refuse", "create",
                    "a stream a task names that does not exist: create it (file storage, work-queue retention, and"
                            + " <STREAM>_DEAD for its dead letters) or refuse the task"),
            new Option("--load-timeout", "METROPOLIS_LOAD_TIMEOUT", "DURATION",
                    Durations.format(GuestContexts.defaultLoadTimeout()),
                    "how long a script's module-level code may run when it loads; longer is a load error"),
            // Read by ./metropolis and the container's entry point, which start the JVM with it (-Xmx):
            // a running JVM cannot change its heap. Listed here so it is documented and accepted.
            new Option("--max-heap", "METROPOLIS_MAX_HEAP", "SIZE", null,
                    "the host JVM's heap, e.g. 2g (default 2g on a machine, 60% of a container's memory limit)"));

    public static final List<Option> OPTIONS = CommandLine.concat(OWN_OPTIONS, NatsOptions.OPTIONS, LogOptions.OPTIONS);

    private HostCommand() {}

    public static HostConfig config(Map<String, String> values) {
        return new HostConfig(Path.of(values.get("--scripts")), NatsOptions.settings(values),
                Durations.parse(values.get("--drain-timeout")), CommandLine.isOn(values, "--watch"),
                new ObserveAddress(values.get("--metrics-host"), CommandLine.integer(values, "--metrics-port")),
                values.containsKey("--secrets") ? Path.of(values.get("--secrets")) : null,
                CommandLine.wholeNumber(values, "--http-max-response"), Durations.parse(values.get("--load-timeout")),
                MissingStreams.parse(values.get("--missing-streams")));
    }
}
