package dev.metropolis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results file: one line per figure, {@code id <TAB> unit <TAB> value value ...}, one value per
 * repetition; lines with the same id add values. {@code meta <TAB> key <TAB> text} lines describe the run.
 * Every tool of the bench (Java, CPython, Node, wrk's Lua) writes this format.
 */
final class Samples {
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, String> meta = new LinkedHashMap<>();

    /** One figure measured several times. */
    record Series(String id, String unit, List<Double> values) {
        double median() {
            return Stats.median(values);
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    static Samples read(Path file) throws IOException {
        Samples samples = new Samples();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split("\t", 3);
            if (line.isBlank() || fields.length < 3) {
                continue;
            }
            if (fields[0].equals("meta")) {
                samples.meta.put(fields[1], fields[2].strip());
                continue;
            }
            Series s = samples.series.computeIfAbsent(fields[0], id -> new Series(id, fields[1], new ArrayList<>()));
            Arrays.stream(fields[2].trim().split("\\s+")).filter(v -> !v.isEmpty())
                    .forEach(v -> s.values().add(Double.parseDouble(v)));
        }
        return samples;
    }

    Series get(String id) {
        Series s = series.get(id);
        return s == null || s.values().isEmpty() ? null : s;
    }

    String meta(String key) {
        return meta.getOrDefault(key, "?");
    }

    /** Prints one sample line to stdout (flushed: bench/run appends it to the results file). */
    static void emit(String id, String unit, List<Double> values) {
        StringBuilder line = new StringBuilder(id).append('\t').append(unit).append('\t');
        for (double v : values) {
            line.append(String.format(Locale.ROOT, "%.3f ", v));
        }
        System.out.println(line.toString().strip());
        System.out.flush();
    }
}
