package dev.metropolis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.gateway.TaskList;
import dev.metropolis.logging.Logging;
import dev.metropolis.nats.NatsConnections;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.task.Durations;
import io.nats.client.Connection;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code metropolis ls}: the tasks announced on NATS now, as a table of what {@code GET /tasks} lists
 * (the gateway's own code builds the entries), read from {@code $SRV.INFO} without a gateway.
 */
final class LsCommand {
    static final List<Option> OPTIONS = List.of(
            NatsOptions.OPTIONS.getFirst(),
            new Option("--wait", null, "DURATION", "2s", "how long to collect the hosts' answers"),
            new Option("--json", null, null, "false", "print the entries as GET /tasks does (JSON), not a table"));
    private static final List<String> COLUMNS = List.of("task", "language", "version", "route", "subject", "trigger",
            "instances", "input", "description");

    private LsCommand() {}

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws UsageException, IOException, InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            out.print(CommandLine.help("metropolis ls [options]", "Lists the tasks announced on NATS (the data of the"
                    + " gateway's GET /tasks) as a table.", OPTIONS));
            return 0;
        }
        Arguments arguments = Arguments.split(args, OPTIONS, null, env);
        if (!arguments.positional().isEmpty()) {
            throw new UsageException("ls takes no arguments, got " + arguments.positional());
        }
        Logging.install(java.util.logging.Level.WARNING, Logging.Format.TEXT, err);
        List<Map<String, Object>> tasks;
        try (Connection nats = NatsConnections.connectOnce(NatsSettings.of(arguments.values().get("--nats")), "metropolis-ls")) {
            tasks = TaskList.fromDiscovery(ServiceDiscovery.info(nats,
                    Durations.parse(arguments.values().get("--wait")), 10_000).services());
        }
        if (Boolean.parseBoolean(arguments.values().get("--json"))) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("tasks", tasks)));
        } else if (tasks.isEmpty()) {
            err.println("no tasks announced on " + arguments.values().get("--nats") + " (is a host running?)");
        } else {
            out.print(table(tasks));
        }
        return 0;
    }

    /** Columns as wide as their widest cell, the last (description) left ragged. */
    static String table(List<Map<String, Object>> tasks) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(COLUMNS.stream().map(column -> column.toUpperCase(java.util.Locale.ROOT)).toList());
        for (Map<String, Object> task : tasks) {
            rows.add(COLUMNS.stream().map(column -> cell(task, column)).toList());
        }
        int[] widths = new int[COLUMNS.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                text.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            text.append(System.lineSeparator());
        }
        return text.toString().lines().map(String::stripTrailing).reduce("", (a, b) -> a + b + System.lineSeparator());
    }

    private static String cell(Map<String, Object> task, String column) {
        Object value = switch (column) {
            case "subject" -> task.getOrDefault("subject", task.get("subjects"));
            case "route" -> task.getOrDefault("route", "-");
            case "input" -> task.get("input") instanceof com.fasterxml.jackson.databind.JsonNode schema
                    ? schema.path("type").asText("schema") : "-";
            default -> task.get(column);
        };
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value == null || value.toString().isEmpty() ? "-" : value.toString();
    }
}
