package dev.metropolis.serve;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The host's meters, named as Prometheus expects once exported ({@code metropolis_task_invocations_total},
 * {@code metropolis_task_duration_seconds_bucket}, ...). Labels stay bounded: the subject label is
 * the endpoint's subject as declared (wildcards included), never the concrete subject of a message.
 */
public final class TaskMetrics {
    /** Latency buckets from sub-millisecond echo tasks to multi-second Python work. */
    static final Duration[] TASK_BUCKETS = durations(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10, 30);
    /** Streams: from a quick burst of chunks to minutes of tokens. */
    static final Duration[] STREAM_BUCKETS = durations(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    /** Context creation: milliseconds for JS, about a second for Python, several for the first. */
    static final Duration[] CREATION_BUCKETS = durations(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20);

    private final MeterRegistry registry;
    /**
     * The meters recorded for every message, looked up once: the registry's own lookup builds an
     * id and takes a lock, which showed in the host's per-message profile. Counters and timers
     * are never removed from the registry, so a cached one stays the registered one.
     */
    private final Map<InvocationKey, Invocations> invocations = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> leaseWaits = new ConcurrentHashMap<>();
    private final Map<TaskLabels, Counter> chunks = new ConcurrentHashMap<>();

    public TaskMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One finished message: its outcome ("ok" or an error kind) and how long it took from arrival. */
    public void invocation(TaskLabels labels, String outcome, long nanos) {
        Invocations meters = invocations.computeIfAbsent(new InvocationKey(labels, outcome), this::invocationMeters);
        meters.count().increment();
        meters.duration().record(Duration.ofNanos(nanos));
        if (outcome.equals("timed_out")) {
            registry.getOrCreate(Counter.builder("metropolis.task.timeouts").tags(labels.tags())
                    .description("Calls interrupted at their timeout")).increment();
        } else if (outcome.equals("busy")) {
            registry.getOrCreate(Counter.builder("metropolis.task.busy.rejections").tags(labels.tags())
                    .description("Messages refused because every context was busy and the queue full")).increment();
        }
    }

    private Invocations invocationMeters(InvocationKey key) {
        Iterable<Tag> tags = key.labels().with("outcome", key.outcome());
        return new Invocations(
                registry.getOrCreate(Counter.builder("metropolis.task.invocations").tags(tags)
                        .description("Messages handled by a task, by outcome")),
                registry.getOrCreate(Timer.builder("metropolis.task.duration").tags(tags).buckets(TASK_BUCKETS)
                        .percentiles(new double[0]).description("Time from a message's arrival to its reply")));
    }

    /** One chunk of a streaming reply was sent. */
    public void chunk(TaskLabels labels) {
        chunks.computeIfAbsent(labels, key -> registry.getOrCreate(Counter.builder("metropolis.task.stream.chunks")
                .tags(key.tags()).description("Chunks sent by streaming (generator) tasks"))).increment();
    }

    /**
     * A streaming reply ended: outcome "ok", "cancelled" (the caller went away) or an error kind,
     * {@code nanos} from the message's arrival to the stream's end.
     */
    public void streamEnded(TaskLabels labels, String outcome, long nanos) {
        registry.getOrCreate(Timer.builder("metropolis.task.stream.duration").tags(labels.with("outcome", outcome))
                .buckets(STREAM_BUCKETS).percentiles(new double[0])
                .description("Time from a streaming task's message to the end of its stream")).record(Duration.ofNanos(nanos));
    }

    /** A context was created for a task, taking {@code nanos}. */
    public void contextCreated(String task, String language, long nanos) {
        registry.getOrCreate(Timer.builder("metropolis.pool.context.creation")
                .tags(List.of(Tag.create("task", task), Tag.create("language", language))).buckets(CREATION_BUCKETS).percentiles(new double[0])
                .description("Time to create and load one guest context")).record(Duration.ofNanos(nanos));
    }

    /** A call waited {@code nanos} for a free context. */
    public void leaseWait(String task, String language, long nanos) {
        leaseWaits.computeIfAbsent(List.of(task, language), key -> registry.getOrCreate(Timer.builder("metropolis.pool.lease.wait")
                .tags(List.of(Tag.create("task", task), Tag.create("language", language))).buckets(TASK_BUCKETS).percentiles(new double[0])
                .description("Time a message waited for a free context"))).record(Duration.ofNanos(nanos));
    }

    /** A reload of a script file finished: outcome "ok" or "failed". */
    public void reload(String outcome) {
        registry.getOrCreate(Counter.builder("metropolis.reloads").tags(List.of(Tag.create("outcome", outcome)))
                .description("Script reloads while running")).increment();
    }

    /** A reply could not be published (connection lost or closed): its caller only sees its own timeout. */
    public void replyLost() {
        registry.getOrCreate(Counter.builder("metropolis.replies.lost")
                .description("Replies that could not be published (connection lost or closed)")).increment();
    }

    /** A script file could not be loaded (bad header, syntax error, import error, conflict). */
    public void loadError() {
        registry.getOrCreate(Counter.builder("metropolis.script.load.errors")
                .description("Script files that could not be loaded")).increment();
    }

    /**
     * Registers gauges that read {@code source} when scraped; returns them so the caller can
     * remove them when the source goes away.
     */
    public <T> List<Meter> gauges(String name, String description, List<Tag> tags, String labelName,
            List<String> labelValues, T source, List<ToDoubleFunction<T>> readers) {
        List<Meter> meters = new ArrayList<>();
        for (int i = 0; i < labelValues.size(); i++) {
            List<Tag> all = new ArrayList<>(tags);
            all.add(Tag.create(labelName, labelValues.get(i)));
            meters.add(registry.getOrCreate(Gauge.builder(name, source, readers.get(i)).tags(all).description(description)));
        }
        return meters;
    }

    /** Removes meters registered for something that went away. */
    public void remove(List<Meter> meters) {
        meters.forEach(registry::remove);
    }

    /** The outcome label of an error kind: its name in lower case. */
    public static String outcome(Enum<?> kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static Duration[] durations(double... seconds) {
        Duration[] result = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            result[i] = Duration.ofNanos((long) (seconds[i] * 1_000_000_000L));
        }
        return result;
    }

    private record InvocationKey(TaskLabels labels, String outcome) {}

    private record Invocations(Counter count, Timer duration) {}

    /** The labels that identify a task endpoint. */
    public record TaskLabels(String task, String subject, String language) {
        List<Tag> tags() {
            return List.of(Tag.create("task", task), Tag.create("subject", subject), Tag.create("language", language));
        }

        Iterable<Tag> with(String name, String value) {
            List<Tag> all = new ArrayList<>(tags());
            all.add(Tag.create(name, value));
            return all;
        }
    }
}
