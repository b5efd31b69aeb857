package dev.metropolis.cli;

import dev.metropolis.cli.CommandLine.Option;
import dev.metropolis.cli.CommandLine.UsageException;
import dev.metropolis.gateway.Gateway;
import dev.metropolis.gateway.GatewayConfig;
import dev.metropolis.gateway.Observability;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.metrics.Registries;
import dev.metropolis.metrics.TaskMetrics;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.trace.Tracing;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code metropolis} command: {@code host} serves a scripts folder on NATS, {@code gateway}
 * serves the tasks over HTTP, {@code dev} runs NATS, host and gateway in one process.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private static final String USAGE = """
            Usage: metropolis <command> [options]

            Commands:
              dev      NATS (a local nats-server unless one answers at --nats), the host on scripts/ and
                       the HTTP gateway on 127.0.0.1:8080, in one process
              host     serve a folder of task scripts on NATS
              gateway  serve every task announced on NATS over HTTP
              request  send one request to a subject and print the reply
              help     show this help

            Run 'metropolis <command> --help' for a command's options.
            """;

    /**
     * dev reloads scripts as they change, and binds the gateway to loopback: tasks are reachable
     * only from this machine unless asked.
     */
    private static final List<Option> DEV_OPTIONS = CommandLine.concat(HostCommand.OWN_OPTIONS.stream()
                    .map(option -> switch (option.flag()) {
                        case "--watch" -> option.withDefault("true");
                        case "--metrics-host" -> option.withDefault("127.0.0.1");
                        default -> option;
                    })
                    .toList(),
            GatewayCommand.OWN_OPTIONS.stream()
                    .map(option -> option.flag().equals("--host") ? option.withDefault("127.0.0.1") : option)
                    .toList(),
            NatsOptions.OPTIONS, LogOptions.OPTIONS);

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, Map<String, String> env) {
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (command) {
                case "host" -> host(rest, env);
                case "gateway" -> gateway(rest, env);
                case "dev" -> dev(rest, env);
                case "request" -> RequestCommand.run(rest, env, System.out, System.err);
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        } catch (UsageException | IllegalArgumentException e) {
            System.err.println("metropolis " + command + ": " + e.getMessage());
            System.err.println("Run 'metropolis " + command + " --help' for the options.");
            return 2;
        } catch (IOException e) {
            System.err.println("metropolis " + command + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int host(String[] args, Map<String, String> env) throws UsageException, IOException, InterruptedException {
        if (wantsHelp(args, "metropolis host [options]", "Serves every task script in a folder on NATS.", HostCommand.OPTIONS)) {
            return 0;
        }
        Map<String, String> values = parse(HostCommand.OPTIONS, args, env);
        HostConfig config = HostCommand.config(values);
        Deque<AutoCloseable> running = new ArrayDeque<>();
        try {
            Tracing tracing = Tracing.fromEnvironment(env, "metropolis-host");
            running.push(tracing); // closed last: flushes the spans of the last messages
            startHost(config, values, running, tracing);
        } catch (IOException | RuntimeException e) {
            stopAll(running);
            throw e;
        }
        return awaitShutdown(running);
    }

    private static int gateway(String[] args, Map<String, String> env) throws UsageException, InterruptedException {
        if (wantsHelp(args, "metropolis gateway [options]", "Serves every task announced on NATS over HTTP.",
                GatewayCommand.OPTIONS)) {
            return 0;
        }
        GatewayConfig config = GatewayCommand.config(parse(GatewayCommand.OPTIONS, args, env));
        Deque<AutoCloseable> running = new ArrayDeque<>();
        Tracing tracing = Tracing.fromEnvironment(env, "metropolis-gateway");
        running.push(tracing);
        try {
            running.push(Gateway.start(config, tracing));
        } catch (RuntimeException e) {
            stopAll(running);
            throw e;
        }
        return awaitShutdown(running);
    }

    private static int dev(String[] args, Map<String, String> env) throws UsageException, IOException, InterruptedException {
        if (wantsHelp(args, "metropolis dev [options]", "Development mode: a local nats-server on 127.0.0.1 when none"
                + " answers at --nats, the host on the scripts folder, and the HTTP gateway.", DEV_OPTIONS)) {
            return 0;
        }
        Map<String, String> values = parse(DEV_OPTIONS, args, env);
        HostConfig hostConfig = HostCommand.config(values);
        GatewayConfig gatewayConfig = GatewayCommand.config(values);
        Deque<AutoCloseable> running = new ArrayDeque<>();
        try {
            // One tracing for both: the gateway's and the host's spans of a request share a service and an exporter.
            Tracing tracing = Tracing.fromEnvironment(env, "metropolis");
            running.push(tracing);
            LocalNatsServer.startUnlessRunning(hostConfig.nats().servers().getFirst(), env).ifPresent(running::push);
            Host host = startHost(hostConfig, values, running, tracing);
            Gateway gateway = Gateway.start(gatewayConfig, tracing);
            running.push(gateway);
            gateway.refreshRoutes();
            LOG.log(Level.INFO, "ready: {0} task(s) at http://{1}:{2}/ (GET /tasks lists the routes; a subject a.b is"
                    + " served at /a/b)", new Object[] {host.served().size(), gatewayConfig.host(), String.valueOf(gateway.port())});
        } catch (IOException | RuntimeException e) {
            stopAll(running);
            throw e;
        }
        return awaitShutdown(running);
    }

    /** Starts the host and, unless --metrics-port is 0, its metrics and health endpoint. */
    private static Host startHost(HostConfig config, Map<String, String> values, Deque<AutoCloseable> running,
            Tracing tracing) throws IOException {
        Engines engines = new Engines();
        running.push(engines);
        Host host = Host.start(config, engines, new TaskMetrics(Registries.global()), tracing);
        running.push(host);
        int metricsPort = CommandLine.integer(values, "--metrics-port");
        if (metricsPort > 0) {
            WebServer observe = Observability.startHostEndpoint(values.get("--metrics-host"), metricsPort, host::natsStatus);
            running.push(observe::stop);
        }
        return host;
    }

    private static boolean wantsHelp(String[] args, String usage, String description, List<Option> options) {
        if (!Arrays.asList(args).contains("--help")) {
            return false;
        }
        System.out.print(CommandLine.help(usage, description, options));
        return true;
    }

    private static Map<String, String> parse(List<Option> options, String[] args, Map<String, String> env) throws UsageException {
        Map<String, String> values = CommandLine.parse(options, args, env);
        Logging.install(LogOptions.level(values.get("--log-level")), Logging.Format.of(values.get("--log-format")), System.out);
        return values;
    }

    /**
     * Blocks until SIGINT/SIGTERM, then stops everything, last started first: the gateway finishes
     * its requests, the host drains its messages, engines close, the NATS child stops. A stop that
     * went cleanly exits 0 rather than the JVM's 128 + signal (143 for SIGTERM): a SIGTERM is how
     * an orchestrator or a scale-in asks a process to stop, and it is a success (1 if something
     * failed to stop).
     */
    private static int awaitShutdown(Deque<AutoCloseable> running) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            LOG.info("stopping: finishing in-flight work");
            boolean clean = stopAll(running);
            LOG.info("stopped");
            stopped.countDown();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(clean ? 0 : 1); // the JVM's own exit status would be 128 + signal
        }));
        stopped.await();
        return 0;
    }

    /** Closes everything, last started first; false when something failed to close (it is logged). */
    private static boolean stopAll(Deque<AutoCloseable> running) {
        boolean clean = true;
        while (!running.isEmpty()) {
            AutoCloseable resource = running.pop();
            try {
                resource.close();
            } catch (Exception e) {
                clean = false;
                LOG.log(Level.WARNING, "error while stopping " + resource.getClass().getSimpleName(), e);
            }
        }
        return clean;
    }
}
