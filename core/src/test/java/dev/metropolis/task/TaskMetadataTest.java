package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskMetadataTest {
    private static final TaskMetadata REVERSE = new TaskMetadata("reverse", "python", "reverse.py",
            List.of("text.reverse", "text.flip"), "workers", "1.2.0", Duration.ofMillis(5_000), 2,
            HttpRoute.parse("POST /reverse"));

    @Test
    void theMapIsWhatDiscoveryPublishes() {
        assertThat(REVERSE.toMap()).containsExactly(
                Map.entry("metropolis.task", "reverse"),
                Map.entry("metropolis.language", "python"),
                Map.entry("metropolis.file", "reverse.py"),
                Map.entry("metropolis.subjects", "text.reverse,text.flip"),
                Map.entry("metropolis.queue", "workers"),
                Map.entry("metropolis.version", "1.2.0"),
                Map.entry("metropolis.timeout_ms", "5000"),
                Map.entry("metropolis.concurrency", "2"),
                Map.entry("metropolis.http", "POST /reverse"));
    }

    @Test
    void whatIsPublishedReadsBackTheSame() {
        assertThat(TaskMetadata.fromMap(REVERSE.toMap())).isEqualTo(REVERSE);
    }

    @Test
    void aStreamingTaskAnnouncesItsStreamTimeoutAndOthersNone() {
        TaskMetadata words = new TaskMetadata("words", "python", "words.py", List.of("text.words"), "metropolis", "1.0.0",
                Duration.ofSeconds(5), 4, null, Map.of(), TaskMetadata.REQUEST_TRIGGER, false, Duration.ofMinutes(1));
        assertThat(words.toMap()).containsEntry(TaskMetadata.STREAM_TIMEOUT_MS, "60000");
        assertThat(TaskMetadata.fromMap(words.toMap())).isEqualTo(words);
        assertThat(TaskMetadata.fromMap(words.toMap()).streams()).isTrue();
        assertThat(REVERSE.toMap()).doesNotContainKey(TaskMetadata.STREAM_TIMEOUT_MS);
        assertThat(REVERSE.streams()).isFalse();
        Map<String, String> unreadable = new LinkedHashMap<>(words.toMap());
        unreadable.put(TaskMetadata.STREAM_TIMEOUT_MS, "soon");
        assertThat(TaskMetadata.fromMap(unreadable).streamTimeout()).isEqualTo(TaskMetadata.DEFAULT_STREAM_TIMEOUT);
    }

    @Test
    void withoutADeclaredRouteThereIsNoHttpKey() {
        TaskMetadata plain = new TaskMetadata("add", "js", "add.js", List.of("math.add"), "metropolis", "0.0.0",
                Duration.ofSeconds(10), 4, null);

        assertThat(plain.toMap()).doesNotContainKey(TaskMetadata.HTTP);
        assertThat(TaskMetadata.fromMap(plain.toMap()).http()).isNull();
    }

    @Test
    void unreadableOrMissingValuesTakeTheirDefaultsInsteadOfHidingTheTask() {
        Map<String, String> announced = new LinkedHashMap<>(REVERSE.toMap());
        announced.put(TaskMetadata.TIMEOUT_MS, "soon");
        announced.remove(TaskMetadata.CONCURRENCY);
        announced.put(TaskMetadata.HTTP, "FETCH /reverse");

        TaskMetadata read = TaskMetadata.fromMap(announced);

        assertThat(read.task()).isEqualTo("reverse");
        assertThat(read.timeout()).isEqualTo(TaskMetadata.DEFAULT_TIMEOUT);
        assertThat(read.concurrency()).isZero();
        assertThat(read.http()).isNull();
    }

    @Test
    void onlyServicesWithATaskKeyAreTasks() {
        assertThat(TaskMetadata.isTask(REVERSE.toMap())).isTrue();
        assertThat(TaskMetadata.isTask(Map.of("owner", "another team"))).isFalse();
    }

    @Test
    void grantsArePublishedByKeyAndReadBack() {
        TaskMetadata checkout = new TaskMetadata("checkout", "python", "checkout.py", List.of("orders.checkout"),
                "metropolis", "1.0.0", Duration.ofSeconds(10), 4, null,
                Map.of("subjects", List.of("inventory.*", "audit.>"), "kv", List.of("carts")));

        Map<String, String> published = checkout.toMap();

        assertThat(published).containsEntry("metropolis.allow.subjects", "inventory.*,audit.>")
                .containsEntry("metropolis.allow.kv", "carts");
        assertThat(TaskMetadata.fromMap(published).allow())
                .isEqualTo(Map.of("subjects", List.of("inventory.*", "audit.>"), "kv", List.of("carts")));
    }
}
