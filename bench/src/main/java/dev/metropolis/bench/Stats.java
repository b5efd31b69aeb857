package dev.metropolis.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles over plain arrays: the bench keeps every latency, no histogram approximation. */
final class Stats {
    private Stats() {}

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The p-th percentile (0-100, nearest rank) of the first {@code count} values; sorts them in place. */
    static long percentile(long[] values, int count, double p) {
        if (count == 0) {
            return 0;
        }
        Arrays.sort(values, 0, count);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return values[Math.max(0, Math.min(count - 1, rank - 1))];
    }
}
