package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.guest.GuestContexts;
import dev.metropolis.metrics.Registries;
import dev.metropolis.runner.Watchdog;
import dev.metropolis.serve.TaskMetrics;
import dev.metropolis.testkit.TestNats;
import dev.metropolis.trace.Tracing;
import io.nats.client.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The driver carrying reload plans out: real JS contexts and a real nats-server, files applied by hand. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptSetTest {
    @TempDir
    Path folder;

    private TestNats server;
    private Connection host;
    private Connection client;
    private final ExecutorService creator = Executors.newSingleThreadExecutor();
    private final ExecutorService retirer = Executors.newCachedThreadPool();
    private final Watchdog watchdog = new Watchdog(System::nanoTime);
    private ScriptSet scripts;

    @BeforeEach
    void start() throws Exception {
        server = TestNats.start();
        host = server.connect();
        client = server.connect();
        scripts = new ScriptSet(folder, new GuestContexts(TestSupport.ENGINES), language -> creator, watchdog, System::nanoTime,
                Duration.ofSeconds(2), retirer, new TaskMetrics(Registries.global()), Tracing.disabled(),
                connection -> { throw new AssertionError("no stream tasks here"); }, ScriptEvents.none("test-host"));
    }

    @AfterEach
    void stop() throws Exception {
        scripts.clear().forEach(service -> service.retire(false));
        retirer.shutdown();
        retirer.awaitTermination(10, TimeUnit.SECONDS);
        client.close();
        host.close();
        server.close();
        watchdog.close();
        creator.shutdownNow();
    }

    private Path write(String name, String subject, String result) throws Exception {
        return Files.writeString(folder.resolve(name), "// /// metropolis\n// subject = \"" + subject + "\"\n// ///\n"
                + "export function handle(body) { return " + result + "; }\n");
    }

    private void apply(Path... files) throws Exception {
        scripts.apply(List.of(files), CompletableFuture.completedFuture(host));
        host.flush(Duration.ofSeconds(5)); // the server has the new subscriptions before the client asks
    }

    private String ask(String subject) throws Exception {
        return TestSupport.text(TestSupport.request(client, subject, ""));
    }

    @Test
    void servesNewFilesThenSwapsAnEditInPlace() throws Exception {
        Path file = write("edit.js", "set.edit", "'v1'");
        apply(file);
        assertThat(ask("set.edit")).isEqualTo("v1");

        write("edit.js", "set.edit", "'v2'");
        apply(file);

        assertThat(ask("set.edit")).isEqualTo("v2");
        assertThat(scripts.served()).singleElement().satisfies(script -> assertThat(script.source()).contains("'v2'"));
    }

    @Test
    void aVersionThatFailsToLoadLeavesThePreviousOneServing() throws Exception {
        Path file = write("broken.js", "set.broken", "'v1'");
        apply(file);

        write("broken.js", "set.broken", "'v2' +");
        apply(file);

        assertThat(ask("set.broken")).isEqualTo("v1");
        assertThat(scripts.problems()).singleElement().satisfies(problem -> assertThat(problem.file()).isEqualTo(file));
    }

    @Test
    void aFileRefusedForAConflictIsRetriedWhenTheOwnerGoes() throws Exception {
        Path owner = write("owner.js", "set.contested", "'owner'");
        apply(owner);
        Path heir = write("heir.js", "set.contested", "'heir'");
        apply(heir);
        assertThat(scripts.problems()).singleElement().satisfies(problem ->
                assertThat(problem.getMessage()).contains("already served by owner.js"));

        Files.delete(owner);
        apply(owner); // the batch names only the owner: the heir is retried because it was refused for the conflict

        assertThat(ask("set.contested")).isEqualTo("heir");
        assertThat(scripts.problems()).isEmpty();
        assertThat(scripts.served()).extracting(script -> script.file()).containsExactly(heir);
    }
}
