package dev.metropolis.stream;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.util.List;

/**
 * The counters of one stream-triggered task ({@code metropolis_stream_deliveries_total{task,stream}} and
 * friends), looked up once per binding: the registry's own lookup costs a lock per message.
 */
final class StreamMetrics {
    final Counter deliveries;
    final Counter redeliveries;
    final Counter acks;
    final Counter naks;
    final Counter terms;
    final Counter deadLetters;

    StreamMetrics(MeterRegistry registry, String task, String stream) {
        List<Tag> tags = List.of(Tag.create("task", task), Tag.create("stream", stream));
        deliveries = counter(registry, "metropolis.stream.deliveries", "Messages delivered to the task, redeliveries included", tags);
        redeliveries = counter(registry, "metropolis.stream.redeliveries", "Deliveries of a message delivered before", tags);
        acks = counter(registry, "metropolis.stream.acks", "Messages handled and acknowledged", tags);
        naks = counter(registry, "metropolis.stream.naks", "Failed deliveries handed back for a later retry", tags);
        terms = counter(registry, "metropolis.stream.terms", "Messages given up without a dead-letter subject", tags);
        deadLetters = counter(registry, "metropolis.stream.dead.letters", "Messages published to the dead-letter subject", tags);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, List<Tag> tags) {
        return registry.getOrCreate(Counter.builder(name).tags(tags).description(description));
    }
}
