package dev.metropolis.cli;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.logging.Logging;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.nats.NatsConnections;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.nats.Replies;
import dev.metropolis.nats.ReplyStream;
import dev.metropolis.task.Durations;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code metropolis request SUBJECT [BODY]}: sends one NATS request and prints the reply, so a task
 * can be tried without installing a NATS client; a streaming task's chunks are printed one per line as
 * they arrive. Exit status: 0 reply (or a stream that ended), 1 error reply, 3 no answer.
 */
final class RequestCommand {
    static final List<Option> OPTIONS = List.of(
            NatsOptions.OPTIONS.getFirst(),
            new Option("--content-type", null, "TYPE", null, "sent as the Content-Type header, e.g. application/json"),
            new Option("--header", null, "NAME:VALUE", null, "an extra header (repeat the option for more)"),
            new Option("--timeout", null, "DURATION", "10s", "how long to wait for the reply (for a stream: for each chunk)"));

    private RequestCommand() {}

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws UsageException, IOException, InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            out.print(CommandLine.help("metropolis request [options] SUBJECT [BODY]",
                    "Sends BODY (default: empty) to SUBJECT and prints the reply body; errors go to stderr.", OPTIONS));
            return 0;
        }
        List<String> positional = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        Headers headers = new Headers();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--header") && i + 1 < args.length) {
                addHeader(headers, args[++i]);
            } else if (args[i].startsWith("--")) {
                flags.add(args[i]);
                if (!args[i].contains("=") && i + 1 < args.length) {
                    flags.add(args[++i]);
                }
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.isEmpty() || positional.size() > 2) {
            throw new UsageException("expected SUBJECT and an optional BODY, got " + positional.size() + " arguments");
        }
        Map<String, String> values = CommandLine.parse(OPTIONS, flags.toArray(String[]::new), env);
        // The reply is the output on stdout; only warnings, and on stderr.
        Logging.install(java.util.logging.Level.WARNING, Logging.Format.TEXT, err);
        if (values.containsKey("--content-type")) {
            headers.put(WireHeaders.CONTENT_TYPE, values.get("--content-type"));
        }
        Duration timeout = Durations.parse(values.get("--timeout"));
        byte[] body = positional.size() == 2 ? positional.get(1).getBytes(StandardCharsets.UTF_8) : new byte[0];
        try (Connection nats = NatsConnections.connectOnce(NatsSettings.of(values.get("--nats")), "metropolis-request");
                ReplyStream replies = ReplyStream.open(nats, positional.getFirst(), headers.isEmpty() ? null : headers, body)) {
            return print(replies, timeout, positional.getFirst(), out, err);
        }
    }

    /**
     * Prints what comes back: a reply, or a stream's chunks one per line as they arrive (each
     * waited for up to {@code timeout}), until the stream ends.
     */
    private static int print(ReplyStream replies, Duration timeout, String subject, PrintStream out, PrintStream err)
            throws InterruptedException {
        while (true) {
            Message message = replies.next(timeout);
            if (message == null) {
                err.println("no reply within " + Durations.format(timeout));
                return 3;
            }
            switch (ReplyStream.kind(message)) {
                case NO_RESPONDERS -> {
                    err.println("no responders: nothing serves '" + subject + "' (is the host running? check its log)");
                    return 3;
                }
                case ERROR -> {
                    err.println("error " + Replies.status(message) + ": " + new String(message.getData(), StandardCharsets.UTF_8));
                    return 1;
                }
                case END -> {
                    return 0;
                }
                case CHUNK, REPLY -> {
                    out.write(message.getData(), 0, message.getData().length);
                    out.println();
                    out.flush();
                    if (ReplyStream.kind(message) == ReplyStream.Kind.REPLY) {
                        return 0;
                    }
                }
            }
        }
    }

    private static void addHeader(Headers headers, String header) throws UsageException {
        int colon = header.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("--header expects NAME:VALUE, got '" + header + "'");
        }
        headers.add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
}
