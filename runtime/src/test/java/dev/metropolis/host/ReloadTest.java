package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.errorCode;
import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;

import io.nats.client.Connection;
import io.nats.client.Message;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload against a real host under steady concurrent load in both languages: edits, broken
 * edits, additions, deletions and subject moves, with no failed request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadTest {
    private Path folder;
    private RunningHost running;
    private Host host;
    private Connection nats;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        this.folder = folder;
        write("swap.js", js("swap.js", "'v1'"));
        write("swap.py", py("swap.py", "'v1'"));
        running = RunningHost.start(folder, true);
        host = running.host;
        nats = running.nats;
    }

    @AfterAll
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private static String js(String subject, String result) {
        return "// /// metropolis\n// subject = \"" + subject + "\"\n// concurrency = 2\n// ///\n"
                + "export function handle(body, msg) { return " + result + "; }\n";
    }

    private static String py(String subject, String result) {
        return "# /// metropolis\n# subject = \"" + subject + "\"\n# concurrency = 2\n# ///\n"
                + "def handle(body, msg):\n    return " + result + "\n";
    }

    /** Saves a file the way editors do: write a temporary file, then rename it over the old one. */
    private void write(String name, String content) throws Exception {
        Path temp = Files.createTempFile(folder, ".edit-", ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String ask(String subject) throws Exception {
        Message reply = TestSupport.request(nats, subject, "");
        assertThat(errorCode(reply)).as("error reply: %s", text(reply)).isZero();
        return text(reply);
    }

    /** Waits until {@code subject} answers {@code expected}; returns how long that took from {@code since}. */
    private long awaitAnswer(String subject, String expected, long since) {
        // generous: a busy machine slows GraalPy a lot; a request that fails means not served yet
        Await.until(Duration.ofSeconds(90), subject + " to answer " + expected,
                () -> text(TestSupport.request(nats, subject, "")).equals(expected));
        return (System.nanoTime() - since) / 1_000_000;
    }

    /** Background clients sending requests all the time; counts every failed one. */
    private final class Load implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> clients = new ArrayList<>();

        Load(String... subjects) {
            for (String subject : subjects) {
                for (int i = 0; i < 2; i++) {
                    clients.add(Thread.ofPlatform().start(() -> {
                        while (running.get()) {
                            sent.incrementAndGet();
                            try {
                                Message reply = nats.requestWithTimeout(subject, new byte[0], Duration.ofSeconds(5))
                                        .get(6, TimeUnit.SECONDS);
                                if (errorCode(reply) != 0) {
                                    fail(subject + ": " + text(reply));
                                }
                            } catch (Exception e) {
                                fail(subject + ": " + e);
                            }
                        }
                    }));
                }
            }
        }

        private void fail(String what) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, what);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
        }
    }

    @Test
    @Order(1)
    void editsTakeOverUnderLoadWithoutAFailedRequest() throws Exception {
        assertThat(ask("swap.js")).isEqualTo("v1");
        assertThat(ask("swap.py")).isEqualTo("v1");
        try (Load load = new Load("swap.js", "swap.py")) {
            long saved = System.nanoTime();
            write("swap.js", js("swap.js", "'v2'"));
            long jsMillis = awaitAnswer("swap.js", "v2", saved);
            saved = System.nanoTime();
            write("swap.py", py("swap.py", "'v2'"));
            long pyMillis = awaitAnswer("swap.py", "v2", saved);
            System.out.printf("save to first reply from the new version: JS %d ms, Python %d ms%n", jsMillis, pyMillis);
            // Keep the load on while the old versions retire: a request they dropped would fail now.
            int atSwap = load.sent.get();
            Await.until(Duration.ofSeconds(30), "20 more requests on the new versions", () -> load.sent.get() >= atSwap + 20);
            load.close();
            assertThat(load.sent.get()).isGreaterThan(50);
            assertThat(load.failed.get()).as("first failure: %s", load.firstFailure.get()).isZero();
        }
    }

    @Test
    @Order(2)
    void aBrokenEditKeepsTheOldVersionServingAndAFixRecovers() throws Exception {
        write("swap.js", js("swap.js", "'v2' +"));
        write("swap.py", py("swap.py", "undefined_name +"));
        Await.until(Duration.ofSeconds(60), "both broken edits to be reported",
                () -> host.problems().size() == 2);
        assertThat(host.problems()).allSatisfy(problem -> {
            // the broken line: the function's body in JS (line 5), its return in Python (line 6)
            int expected = problem.file().toString().endsWith(".js") ? 5 : 6;
            assertThat(problem.line()).as(problem.getMessage()).isEqualTo(expected);
            assertThat(problem.getMessage()).contains("syntax error");
        });
        assertThat(ask("swap.js")).isEqualTo("v2");
        assertThat(ask("swap.py")).isEqualTo("v2");

        write("swap.js", js("swap.js", "'v3'"));
        write("swap.py", py("swap.py", "'v3'"));
        awaitAnswer("swap.js", "v3", System.nanoTime());
        awaitAnswer("swap.py", "v3", System.nanoTime());
        assertThat(host.problems()).isEmpty();
    }

    @Test
    @Order(3)
    void addedScriptsServeAndDeletedOnesStop() throws Exception {
        write("added.js", js("added.subject", "'new here'"));
        awaitAnswer("added.subject", "new here", System.nanoTime());

        Files.delete(folder.resolve("added.js"));
        Await.until(Duration.ofSeconds(60), "added.subject to lose its responders", () -> {
            try {
                TestSupport.request(nats, "added.subject", "");
                return false;
            } catch (Exception e) {
                return e.getMessage().contains("503");
            }
        });
        assertThat(host.served()).extracting(script -> script.file().getFileName().toString())
                .containsExactlyInAnyOrder("swap.js", "swap.py");
    }

    @Test
    @Order(4)
    void aSubjectChangeMovesTheSubscription() throws Exception {
        write("mover.js", js("mover.before", "'here'"));
        awaitAnswer("mover.before", "here", System.nanoTime());
        write("mover.js", js("mover.after", "'moved'"));
        awaitAnswer("mover.after", "moved", System.nanoTime());
        Await.until(Duration.ofSeconds(60), "the old subject to be unsubscribed", () -> {
            try {
                TestSupport.request(nats, "mover.before", "");
                return false;
            } catch (Exception e) {
                return true;
            }
        });
        Files.delete(folder.resolve("mover.js"));
    }

    @Test
    @Order(5)
    void aSecondScriptOnTheSameSubjectIsRefusedAndTheFirstKeepsIt() throws Exception {
        write("thief.js", js("swap.js", "'stolen'"));
        Await.until(Duration.ofSeconds(60), "the conflict to be reported",
                () -> host.problems().stream().anyMatch(p -> p.file().getFileName().toString().equals("thief.js")));
        assertThat(host.problems().getFirst().getMessage()).contains("already served by swap.js");
        for (int i = 0; i < 5; i++) {
            assertThat(ask("swap.js")).isEqualTo("v3");
        }
        Files.delete(folder.resolve("thief.js"));
        Await.until(Duration.ofSeconds(60), "the problem to clear with the file", () -> host.problems().isEmpty());
    }

    @Test
    @Order(6)
    void aRefusedScriptTakesOverWhenTheOwnerOfItsSubjectGoes() throws Exception {
        write("owner.js", js("contested", "'owner'"));
        awaitAnswer("contested", "owner", System.nanoTime());
        write("heir.js", js("contested", "'heir'"));
        Await.until(Duration.ofSeconds(60), "the conflict to be reported",
                () -> host.problems().stream().anyMatch(p -> p.file().getFileName().toString().equals("heir.js")));

        Files.delete(folder.resolve("owner.js"));
        awaitAnswer("contested", "heir", System.nanoTime());
        assertThat(host.problems()).isEmpty();
        Files.delete(folder.resolve("heir.js"));
        Await.until(Duration.ofSeconds(60), "heir.js to stop serving", () -> host.served().stream()
                .noneMatch(script -> script.file().getFileName().toString().equals("heir.js")));
    }

    @Test
    @Order(7)
    void twoHundredEditsUnderLoadLeakNothing() throws Exception {
        int baselineContexts = host.liveContexts();
        long baselineHeap = 0;
        try (Load load = new Load("swap.js")) {
            for (int edit = 1; edit <= 200; edit++) {
                write("swap.js", js("swap.js", "'edit " + edit + "'"));
                awaitAnswer("swap.js", "edit " + edit, System.nanoTime());
                if (edit == 20) {
                    baselineHeap = usedHeapAfterGc();
                }
            }
            load.close();
            System.out.printf("200 reloads under load: %d requests, %d failed%n", load.sent.get(), load.failed.get());
            assertThat(load.failed.get()).as("first failure: %s", load.firstFailure.get()).isZero();
        }
        Await.until(Duration.ofSeconds(60), "retired versions to close their contexts",
                () -> host.liveContexts() <= baselineContexts + 2);
        long heap = usedHeapAfterGc();
        System.out.printf("heap after 20 edits %d MB, after 200 edits %d MB; live contexts %d%n",
                baselineHeap >> 20, heap >> 20, host.liveContexts());
        assertThat(heap).isLessThan(baselineHeap + (64L << 20));
    }

    /**
     * The used heap once collections stop freeing anything: cleaners run after a collection on
     * their own threads and free more for the next one, so collect until two readings agree.
     */
    private static long usedHeapAfterGc() {
        long[] previous = {Long.MAX_VALUE};
        return Await.value(Duration.ofSeconds(30), "the heap to settle after collections", () -> {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            boolean settled = previous[0] - used < (1L << 20);
            previous[0] = used;
            return settled ? used : null;
        }, used -> true);
    }
}
