package dev.metropolis.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.ScriptFolder;
import dev.metropolis.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on a real temporary folder: what it reports, waited for with a deadline. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FolderWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path folder;

    private final CopyOnWriteArrayList<Set<Path>> batches = new CopyOnWriteArrayList<>();
    private FolderWatcher watcher;

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private void watch(Duration poll) {
        watch(poll, batches::add);
    }

    private void watch(Duration poll, Consumer<Set<Path>> onChange) {
        watch(Duration.ofMillis(50), poll, onChange);
    }

    private void watch(Duration quiet, Duration poll, Consumer<Set<Path>> onChange) {
        watcher = new FolderWatcher(new ScriptFolder(folder), quiet, poll, onChange);
        watcher.start();
    }

    private boolean reported(Path file) {
        return batches.stream().anyMatch(batch -> batch.contains(file));
    }

    private void awaitReported(Path file, String what) {
        Await.until(WAIT, what, () -> reported(file));
    }

    @Test
    void reportsAnAddedScript() throws Exception {
        watch(Duration.ofSeconds(1));

        Path added = Files.writeString(folder.resolve("added.js"), "x");

        awaitReported(added, "added.js to be reported");
    }

    @Test
    void reportsAChangedAndADeletedScriptButNotTheBaseline() throws Exception {
        Path changed = Files.writeString(folder.resolve("changed.py"), "one");
        Path deleted = Files.writeString(folder.resolve("deleted.js"), "x");
        Path untouched = Files.writeString(folder.resolve("untouched.js"), "x");
        watch(Duration.ofSeconds(1));

        Files.writeString(changed, "two, longer");
        Files.delete(deleted);

        awaitReported(changed, "changed.py to be reported");
        awaitReported(deleted, "deleted.js to be reported");
        assertThat(reported(untouched)).as("files present at start are the baseline").isFalse();
    }

    @Test
    void ignoresFilesThatAreNotScripts() throws Exception {
        watch(Duration.ofSeconds(1));

        Path notes = Files.writeString(folder.resolve("notes.txt"), "x");
        Path hidden = Files.writeString(folder.resolve(".hidden.js"), "x");
        Path backup = Files.writeString(folder.resolve("task.js~"), "x");
        Path script = Files.writeString(folder.resolve("task.js"), "x");

        // The script was written last: once it is reported, the others would have been too.
        awaitReported(script, "task.js to be reported");
        assertThat(batches).allSatisfy(batch -> assertThat(batch).doesNotContain(notes, hidden, backup));
    }

    @Test
    void aBurstOfWritesToOneFileIsOneBatch() throws Exception {
        // A quiet window far longer than the burst takes, even on a busy machine; the rescan stays well
        // apart from it, since each rescan that finds the file still unreported counts as a new event.
        watch(Duration.ofMillis(500), Duration.ofSeconds(30), batches::add);

        Path file = folder.resolve("burst.js");
        for (int i = 0; i < 5; i++) {
            Files.writeString(file, "version " + i);
        }

        awaitReported(file, "burst.js to be reported");
        assertThat(batches).hasSize(1).first().isEqualTo(Set.of(file));
    }

    @Test
    void aFailingListenerDoesNotStopTheWatcher() throws Exception {
        watch(Duration.ofSeconds(1), batch -> {
            batches.add(batch);
            if (batches.size() == 1) {
                throw new IllegalStateException("applying failed on purpose");
            }
        });

        Path first = Files.writeString(folder.resolve("first.js"), "x");
        awaitReported(first, "first.js to be reported");
        Path second = Files.writeString(folder.resolve("second.js"), "x");

        awaitReported(second, "second.js to be reported after the listener failed");
    }
}
