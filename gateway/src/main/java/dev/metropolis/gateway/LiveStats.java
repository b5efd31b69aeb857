package dev.metropolis.gateway;

import dev.metropolis.nats.ServiceDiscovery.EndpointStats;
import dev.metropolis.nats.ServiceDiscovery.ServiceStats;
import dev.metropolis.task.RecentStats;
import dev.metropolis.task.TaskMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Each task's last seconds over every host serving it, from their {@code $SRV.STATS} answers:
 * counts and latency histograms add up, and the percentiles are read from the sum (percentiles
 * of hosts cannot be averaged). A pure function of the answers.
 */
final class LiveStats {
    private LiveStats() {}

    /** What the console shows of one task. */
    record TaskStats(List<String> hosts, int instances, RecentStats recent) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("hosts", hosts);
            map.put("instances", instances);
            map.put("window_seconds", recent.windowSeconds());
            map.put("requests", recent.requests());
            map.put("errors", recent.errors());
            double seconds = Math.max(1, recent.windowSeconds());
            map.put("requests_per_second", round(recent.requests() / seconds));
            map.put("errors_per_second", round(recent.errors() / seconds));
            map.put("error_rate", recent.requests() == 0 ? 0.0 : round((double) recent.errors() / recent.requests()));
            map.put("p50_ms", round(recent.quantileMs(0.5)));
            map.put("p99_ms", round(recent.quantileMs(0.99)));
            map.put("last_errors", recent.lastErrors());
            return map;
        }
    }

    /** The tasks among {@code answers}, by name; services that are not Metropolis tasks are left out. */
    static Map<String, TaskStats> of(List<ServiceStats> answers) {
        Map<String, List<ServiceStats>> byTask = new TreeMap<>();
        for (ServiceStats service : answers) {
            if (TaskMetadata.isTask(service.metadata())) {
                byTask.computeIfAbsent(service.metadata().get(TaskMetadata.TASK), task -> new ArrayList<>()).add(service);
            }
        }
        Map<String, TaskStats> tasks = new LinkedHashMap<>();
        byTask.forEach((task, instances) -> {
            TreeSet<String> hosts = new TreeSet<>();
            RecentStats recent = RecentStats.none(0);
            for (ServiceStats instance : instances) {
                hosts.add(instance.metadata().getOrDefault(TaskMetadata.HOST, "(unnamed host)"));
                for (EndpointStats endpoint : instance.endpoints()) {
                    if (endpoint.data() != null) {
                        recent = recent.plus(endpoint.data());
                    }
                }
            }
            tasks.put(task, new TaskStats(List.copyOf(hosts), instances.size(), recent));
        });
        return tasks;
    }

    private static Double round(Double value) {
        return value == null ? null : Math.round(value * 1000) / 1000.0;
    }
}
