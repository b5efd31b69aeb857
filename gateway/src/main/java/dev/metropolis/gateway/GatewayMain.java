package dev.metropolis.gateway;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.command.StartedServices;
import dev.metropolis.metrics.Registries;
import dev.metropolis.trace.Tracing;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code metropolis gateway}: the gateway on its own, on a class path without the polyglot layer
 * (the launcher runs it so, with no JVMCI flags). The full command line delegates here.
 */
public final class GatewayMain {
    static final String USAGE = "metropolis gateway [options]";
    static final String DESCRIPTION = "Serves every task announced on NATS over HTTP.";

    private GatewayMain() {}

    public static void main(String[] args) {
        System.exit(CommandLine.exitCode("gateway", () -> run(args, System.getenv())));
    }

    /** Runs the gateway until SIGINT/SIGTERM; 0 after a clean stop, or after printing help. */
    public static int run(String[] args, Map<String, String> env) throws UsageException, InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(CommandLine.help(USAGE, DESCRIPTION, GatewayCommand.OPTIONS));
            return 0;
        }
        GatewayConfig config = GatewayCommand.config(CommandLine.parseAndLog(GatewayCommand.OPTIONS, args, env));
        StartedServices running = new StartedServices();
        try {
            Tracing tracing = running.add(Tracing.fromEnvironment(env, "metropolis-gateway"));
            running.add(Gateway.builder(config).registry(Registries.global()).tracing(tracing).environment(env).start());
        } catch (RuntimeException e) {
            running.stopAll();
            throw e;
        }
        return running.awaitShutdown();
    }
}
