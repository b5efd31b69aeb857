package dev.metropolis.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options (a name may repeat) and, after {@code --}, a command line. */
record Args(Map<String, List<String>> values, List<String> command) {

    static Args parse(String[] args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                command.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            values.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
        }
        return new Args(values, command);
    }

    String get(String name) {
        List<String> all = values.get(name);
        if (all == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return all.getLast();
    }

    String get(String name, String fallback) {
        return values.containsKey(name) ? get(name) : fallback;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }

    /** Seconds, fractions allowed: "2.5". */
    Duration seconds(String name, double fallback) {
        return Duration.ofNanos((long) (Double.parseDouble(get(name, Double.toString(fallback))) * 1e9));
    }
}
