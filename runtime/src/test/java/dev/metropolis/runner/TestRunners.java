package dev.metropolis.runner;

import dev.metropolis.guest.Engines;
import dev.metropolis.guest.GuestContext;
import dev.metropolis.guest.GuestContexts;
import dev.metropolis.pool.ContextPool;
import dev.metropolis.script.TaskScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * Real JavaScript task runners for tests: real engines, contexts, pool and watchdog on the
 * system clock. Closing it closes every runner it made.
 */
public final class TestRunners implements AutoCloseable {
    private final Engines engines = new Engines();
    private final GuestContexts contexts = new GuestContexts(engines);
    private final ExecutorService creator = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon(true).name("test-context-creator").factory());
    private final Watchdog watchdog = new Watchdog(System::nanoTime);
    private final List<TaskRunner> runners = new CopyOnWriteArrayList<>();

    /**
     * Writes and loads a JS task: {@code header} holds TOML lines (without comment markers) after
     * the subject, {@code body} the module's code.
     */
    public static TaskScript script(Path folder, String name, String subject, String header, String body) throws Exception {
        StringBuilder source = new StringBuilder("// /// metropolis\n// subject = \"" + subject + "\"\n");
        header.lines().forEach(line -> source.append("// ").append(line).append('\n'));
        source.append("// ///\n").append(body);
        Path file = Files.writeString(folder.resolve(name), source);
        return TaskScript.load(file).orElseThrow();
    }

    /** A warm runner for {@code script}, on the system clock. */
    public TaskRunner runner(TaskScript script) throws Exception {
        return runner(script, System::nanoTime);
    }

    /** A warm runner for {@code script} whose deadlines are on {@code nanoTime} (its pool's too). */
    public TaskRunner runner(TaskScript script, LongSupplier nanoTime) throws Exception {
        ContextPool<GuestContext> pool = new ContextPool<>(script.name(), script.header().concurrency(),
                contexts.factory(script), creator, nanoTime);
        pool.warmUp();
        TaskRunner runner = new TaskRunner(script, pool, watchdog, nanoTime);
        runners.add(runner);
        return runner;
    }

    @Override
    public void close() {
        runners.forEach(runner -> runner.close(Duration.ofSeconds(2)));
        watchdog.close();
        creator.shutdownNow();
        engines.close();
    }
}
