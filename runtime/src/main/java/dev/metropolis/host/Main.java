package dev.metropolis.host;

import dev.metropolis.guest.Engines;
import dev.metropolis.host.CommandLine.UsageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code metropolis} command: {@code host} serves a scripts folder; {@code dev} adds a local NATS. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private static final String USAGE = """
            Usage: metropolis <command> [options]

            Commands:
              dev      run a local NATS server (unless one answers at --nats) and the host on scripts/
              host     serve a folder of task scripts on NATS
              request  send one request to a subject and print the reply
              help     show this help

            Run 'metropolis <command> --help' for a command's options.
            """;

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
                case "host" -> serve(rest, env, false);
                case "dev" -> serve(rest, env, true);
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

    private static int serve(String[] args, Map<String, String> env, boolean dev) throws UsageException, IOException, InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(dev
                    ? CommandLine.help("metropolis dev [options]", "Development mode: starts a local nats-server on"
                            + " 127.0.0.1 when none answers at --nats, then the host on the scripts folder.", HostCommand.OPTIONS)
                    : CommandLine.help("metropolis host [options]", "Serves every task script in a folder on NATS.",
                            HostCommand.OPTIONS));
            return 0;
        }
        Map<String, String> values = CommandLine.parse(HostCommand.OPTIONS, args, env);
        LogFormat.install(HostCommand.logLevel(values.get("--log-level")));
        HostConfig config = HostCommand.config(values);

        List<AutoCloseable> resources = new ArrayList<>();
        if (dev) {
            Optional<LocalNatsServer> server = LocalNatsServer.startUnlessRunning(config.nats().servers().getFirst(), env);
            server.ifPresent(resources::add);
        }
        Engines engines = new Engines();
        resources.addFirst(engines);
        Host host;
        try {
            host = Host.start(config, engines);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
        resources.addFirst(host);
        awaitShutdown(resources);
        return 0;
    }

    /** Blocks until SIGINT/SIGTERM, then closes everything in order: host (drains), engines, NATS child. */
    private static void awaitShutdown(List<AutoCloseable> resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            LOG.info("stopping: draining in-flight messages");
            closeAll(resources);
            LOG.info("stopped");
            stopped.countDown();
        }));
        stopped.await();
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "error while stopping " + resource.getClass().getSimpleName(), e);
            }
        }
    }

}
