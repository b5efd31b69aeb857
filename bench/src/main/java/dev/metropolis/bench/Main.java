package dev.metropolis.bench;

import java.util.Arrays;

/**
 * The Java half of the benchmarks, one tool per command; {@code bench/run} starts them. Results go
 * to stdout as sample lines (see {@link Samples}); progress and problems go to stderr.
 */
public final class Main {
    private static final String USAGE = """
            Usage: java -cp bench/target/classes:bench/target/lib/* dev.metropolis.bench.Main <command> [--option value ...]

              echo-responder --nats URL --subject S          bare jnats echo responder (the ceiling)
              http-echo --port N                             plain Helidon SE server: POST /echo returns the body
              load --nats URL --subject S --id ID ...        request/reply load, sequential or many in flight
              coldstart --nats URL --id ID ... -- CMD ARGS   starts a host, times its first replies (and memory)
              steady --id ID --nats URLS --subject S | --http URL --method M ...
                                                             clients in a loop for a while: requests and failures
              kv-loop --nats URL --id ID ...                 a bare jnats KV get + put in a loop (task abilities' baseline)
              stream-load --nats URL --subject S | --http URL --id ID --chunks N
                                                             streamed replies one stream at a time: chunks/s, first chunk
              report --samples FILE --markdown FILE          the tables, on stdout and as Markdown
            """;

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(2);
        }
        Args options = Args.parse(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "echo-responder" -> EchoResponder.run(options);
            case "http-echo" -> HttpEcho.run(options);
            case "load" -> NatsLoad.run(options);
            case "coldstart" -> ColdStart.run(options);
            case "steady" -> SteadyLoad.run(options);
            case "kv-loop" -> KvLoop.run(options);
            case "stream-acks" -> StreamAcks.run(options);
            case "stream-load" -> StreamLoad.run(options);
            case "report" -> Report.run(options);
            default -> {
                System.err.print("unknown command '" + args[0] + "'\n" + USAGE);
                System.exit(2);
            }
        }
    }
}
