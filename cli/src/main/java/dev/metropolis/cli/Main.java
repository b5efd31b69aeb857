package dev.metropolis.cli;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.command.StartedServices;
import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayCommand;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.gateway.GatewayMain;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.FatalErrors;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostCommand;
import dev.metropolis.host.HostConfig;
import dev.metropolis.metrics.Registries;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.trace.Tracing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code metropolis} command: {@code host} serves a scripts folder on NATS, {@code gateway}
 * serves the tasks over HTTP, {@code dev} runs NATS, host and gateway in one process. This is the
 * composition root: the one place that reads the environment and builds registries and tracing.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    /**
     * dev reloads scripts as they change, and binds the gateway to loopback: tasks are reachable
     * only from this machine unless asked.
     */
    static final List<Option> DEV_OPTIONS = CommandLine.concat(HostCommand.OWN_OPTIONS.stream()
                    .map(option -> switch (option.flag()) {
                        case "--watch" -> option.withDefault("true");
                        case "--metrics-host" -> option.withDefault("127.0.0.1");
                        default -> option;
                    })
                    .toList(),
            GatewayCommand.OWN_OPTIONS.stream()
                    .map(option -> switch (option.flag()) {
                        case "--host" -> option.withDefault("127.0.0.1");
                        case "--auth" -> option.withDefault(GatewayCommand.AUTH_OFF); // dev: open unless asked
                        default -> option;
                    })
                    .toList(),
            NatsOptions.OPTIONS, LogOptions.OPTIONS);

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** The usage text, also what the launcher prints for {@code ./metropolis --help}. */
    static String usage() {
        try (InputStream in = Main.class.getResourceAsStream("usage.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int run(String[] args, Map<String, String> env) {
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            System.out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return CommandLine.exitCode(command, () -> switch (command) {
            case "host" -> host(rest, env);
            case "gateway" -> GatewayMain.run(rest, env);
            case "dev" -> dev(rest, env);
            case "request" -> RequestCommand.run(rest, env, System.in, System.out, System.err);
            case "new" -> NewCommand.run(rest, System.out);
            case "ls" -> LsCommand.run(rest, env, System.out, System.err);
            case "check" -> CheckCommand.run(rest, env, System.out);
            default -> throw new UsageException("unknown command '" + command + "'");
        });
    }

    private static int host(String[] args, Map<String, String> env) throws UsageException, IOException, InterruptedException {
        if (wantsHelp(args, "metropolis host [options]", "Serves every task script in a folder on NATS.", HostCommand.OPTIONS)) {
            return 0;
        }
        HostConfig config = HostCommand.config(CommandLine.parseAndLog(HostCommand.OPTIONS, args, env));
        StartedServices running = new StartedServices();
        try {
            Tracing tracing = running.add(Tracing.fromEnvironment(env, "metropolis-host")); // closed last: flushes the last spans
            startHost(config, running, tracing, env);
        } catch (IOException | RuntimeException e) {
            running.stopAll();
            throw e;
        }
        return running.awaitShutdown();
    }

    private static int dev(String[] args, Map<String, String> env) throws UsageException, IOException, InterruptedException {
        if (wantsHelp(args, "metropolis dev [options]", "Development mode: a local nats-server on 127.0.0.1 when none"
                + " answers at --nats, the host on the scripts folder, and the HTTP gateway.", DEV_OPTIONS)) {
            return 0;
        }
        Map<String, String> values = CommandLine.parseAndLog(DEV_OPTIONS, args, env);
        HostConfig hostConfig = HostCommand.config(values);
        GatewayConfig gatewayConfig = GatewayCommand.config(values);
        StartedServices running = new StartedServices();
        try {
            // One tracing for both: the gateway's and the host's spans of a request share a service and an exporter.
            Tracing tracing = running.add(Tracing.fromEnvironment(env, "metropolis"));
            LocalNatsServer.startUnlessRunning(hostConfig.nats().servers().getFirst(), env).ifPresent(running::add);
            Host host = startHost(hostConfig, running, tracing, env);
            Gateway gateway = running.add(Gateway.builder(gatewayConfig).registry(Registries.global()).tracing(tracing)
                    .environment(env).start());
            gateway.refreshRoutes();
            LOG.log(Level.INFO, "ready: {0} task(s) at http://{1}:{2}/ (GET /tasks lists the routes; a subject a.b is"
                    + " served at /a/b)", new Object[] {host.served().size(), gatewayConfig.host(), String.valueOf(gateway.port())});
        } catch (IOException | RuntimeException e) {
            running.stopAll();
            throw e;
        }
        return running.awaitShutdown();
    }

    /** Starts the host (and its metrics and health endpoint unless --metrics-port is 0) on new engines. */
    private static Host startHost(HostConfig config, StartedServices running, Tracing tracing, Map<String, String> env)
            throws IOException {
        // Where the JVM cannot recover (a host thread killed by OutOfMemoryError), exit so a supervisor restarts it.
        FatalErrors.install(Runtime.getRuntime()::halt);
        LOG.log(Level.INFO, "heap limit {0} MiB (--max-heap)", String.valueOf(Runtime.getRuntime().maxMemory() >> 20));
        Engines engines = running.add(new Engines());
        return running.add(Host.builder(config, engines).registry(Registries.global()).tracing(tracing).environment(env)
                .start());
    }

    private static boolean wantsHelp(String[] args, String usage, String description, List<Option> options) {
        if (!Arrays.asList(args).contains("--help")) {
            return false;
        }
        System.out.print(CommandLine.help(usage, description, options));
        return true;
    }
}
