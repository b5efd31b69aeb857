package dev.metropolis.cli;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.logging.Logging;
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
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code metropolis request SUBJECT [BODY|@FILE|-]}: sends one NATS request and prints the reply, so a
 * task can be tried without installing a NATS client; a streaming task's chunks are printed one per line as
 * they arrive. Exit status: 0 reply (or a stream that ended), 1 error reply, 3 no answer.
 */
final class RequestCommand {
    static final List<Option> OPTIONS = List.of(
            NatsOptions.OPTIONS.getFirst(),
            new Option("--content-type", null, "TYPE", null, "sent as the Content-Type header, e.g. application/json"),
            new Option("--header", null, "NAME:VALUE", null, "an extra header (repeat the option for more)"),
            new Option("--timeout", null, "DURATION", "10s", "how long to wait for the reply (for a stream: for each chunk)"));

    private RequestCommand() {}

    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err)
            throws UsageException, IOException, InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            out.print(CommandLine.help("metropolis request [options] [-v] SUBJECT [BODY | @FILE | -]",
                    "Sends BODY (default: empty; @FILE: a file's bytes; -: standard input) to SUBJECT and prints the"
                            + " reply body; errors go to stderr. -v also prints the reply's status, headers and time"
                            + " to stderr.", OPTIONS));
            return 0;
        }
        Arguments arguments = Arguments.split(args, OPTIONS, "--header", env);
        List<String> positional = arguments.positional();
        if (positional.isEmpty() || positional.size() > 2) {
            throw new UsageException("expected SUBJECT and an optional BODY, got " + positional.size() + " arguments");
        }
        Map<String, String> values = arguments.values();
        // The reply is the output on stdout; only warnings, and on stderr.
        Logging.install(java.util.logging.Level.WARNING, Logging.Format.TEXT, err);
        Headers headers = new Headers();
        for (String header : arguments.repeated()) {
            addHeader(headers, header);
        }
        if (values.containsKey("--content-type")) {
            headers.put(WireHeaders.CONTENT_TYPE, values.get("--content-type"));
        }
        Duration timeout = Durations.parse(values.get("--timeout"));
        byte[] body = RequestBody.read(positional.size() == 2 ? positional.get(1) : null, in);
        String subject = positional.getFirst();
        try (Connection nats = NatsConnections.connectOnce(NatsSettings.of(values.get("--nats")), "metropolis-request");
                ReplyStream replies = ReplyStream.open(nats, subject, headers.isEmpty() ? null : headers, body)) {
            return print(replies, timeout, subject, arguments.verbose() ? body.length : -1, out, err);
        }
    }

    /** {@code -v}: "< 200 from text.reverse in 3.1 ms (17 bytes sent, 17 received)" and the reply's headers. */
    private static void describe(Message reply, String subject, int sent, long nanos, PrintStream err) {
        int status = Replies.status(reply);
        err.printf(Locale.ROOT, "< %d from %s in %.1f ms (%d bytes sent, %d received)%n", status, subject, nanos / 1e6,
                sent, reply.getData().length);
        if (reply.getHeaders() != null) {
            reply.getHeaders().forEach((name, list) -> list.forEach(value -> err.println("< " + name + ": " + value)));
        }
    }

    /**
     * Prints what comes back: a reply, or a stream's chunks one per line as they arrive (each
     * waited for up to {@code timeout}), until the stream ends; {@code sent} >= 0 describes the first answer ({@code -v}).
     */
    private static int print(ReplyStream replies, Duration timeout, String subject, int sent, PrintStream out,
            PrintStream err) throws InterruptedException {
        long started = System.nanoTime();
        boolean first = true;
        while (true) {
            Message message = replies.next(timeout);
            if (message == null) {
                err.println("no reply within " + Durations.format(timeout));
                return 3;
            }
            ReplyStream.Kind kind = ReplyStream.kind(message);
            if (first && sent >= 0 && kind != ReplyStream.Kind.NO_RESPONDERS) {
                describe(message, subject, sent, System.nanoTime() - started, err);
            }
            first = false;
            switch (kind) {
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
                    if (kind == ReplyStream.Kind.REPLY) {
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
