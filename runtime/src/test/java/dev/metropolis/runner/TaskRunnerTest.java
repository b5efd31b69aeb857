package dev.metropolis.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.metropolis.logging.LogContext;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.testkit.Await;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A runner over real GraalJS contexts: replies, errors, timeouts, admission and stopping. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskRunnerTest {
    private static final String SPIN = """
            export function handle(body) {
              if (body === 'spin') { for (;;) { /* runaway */ } }
              if (body === 'throw') throw new Error('broken on purpose');
              return 'echo ' + body;
            }
            """;
    private static TestRunners runners;

    @TempDir
    Path folder;

    @BeforeAll
    static void engines() {
        runners = new TestRunners();
    }

    @AfterAll
    static void close() {
        runners.close();
    }

    private TaskRunner runner(String name, String header) throws Exception {
        return runners.runner(script(name, header));
    }

    private TaskScript script(String name, String header) throws Exception {
        return TestRunners.script(folder, name + ".js", "test." + name, header, SPIN);
    }

    private static TaskRequest request(String body, Map<String, List<String>> headers) {
        return new TaskRequest("test.subject", "_INBOX.reply", headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static CompletableFuture<TaskReply> submit(TaskRunner runner, String body) {
        return runner.submit(request(body, Map.of()), LogContext.of("test", "test.subject", null, null));
    }

    private static String text(TaskReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    private static TaskError failure(CompletableFuture<TaskReply> reply) throws InterruptedException {
        ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> reply.get(30, TimeUnit.SECONDS));
        assertThat(e).as("the call should have failed").isNotNull();
        assertThat(e.getCause()).isInstanceOf(TaskError.class);
        return (TaskError) e.getCause();
    }

    @Test
    void answersWithTheScriptsReply() throws Exception {
        TaskRunner runner = runner("echo", "");

        assertThat(text(submit(runner, "hi").get(30, TimeUnit.SECONDS))).isEqualTo("echo hi");
    }

    @Test
    void aScriptErrorFailsTheCallAsCrashedAndTheContextServesOn() throws Exception {
        TaskRunner runner = runner("thrower", "concurrency = 1");

        TaskError error = failure(submit(runner, "throw"));

        assertThat(error.kind()).isEqualTo(ErrorKind.CRASHED);
        assertThat(error.getMessage()).contains("broken on purpose");
        assertThat(text(submit(runner, "after").get(30, TimeUnit.SECONDS))).isEqualTo("echo after");
    }

    @Test
    void aRunawayCallTimesOutAtTheScriptsTimeoutAndTheNextCallRuns() throws Exception {
        TaskRunner runner = runner("runaway", "concurrency = 1\ntimeout = \"300ms\"");

        TaskError error = failure(submit(runner, "spin"));

        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
        assertThat(error.getMessage()).isEqualTo("task 'runaway' did not finish within its timeout of 300ms on subject"
                + " 'test.subject' and was interrupted; make it faster or raise 'timeout' in its header");
        assertThat(text(submit(runner, "next").get(30, TimeUnit.SECONDS))).isEqualTo("echo next");
    }

    @Test
    void aCallerAskingForLessTimeGetsItsOwnTimeoutNamed() throws Exception {
        TaskRunner runner = runner("hurried", "concurrency = 1\ntimeout = \"30s\"");

        TaskError error = failure(runner.submit(request("spin", Map.of(WireHeaders.TIMEOUT, List.of(WireHeaders.timeoutValue(Duration.ofMillis(200))))),
                LogContext.of("test", "test.subject", null, null)));

        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
        assertThat(error.getMessage()).contains("within the caller's timeout of 200ms");
    }

    @Test
    void aMessageBeyondConcurrencyAndMaxPendingIsRefusedAsBusyAtOnce() throws Exception {
        TaskRunner runner = runner("busy", "concurrency = 1\nmax_pending = 0\ntimeout = \"1s\"");
        CompletableFuture<TaskReply> running = submit(runner, "spin");

        CompletableFuture<TaskReply> refused = submit(runner, "more");

        assertThat(refused).isCompletedExceptionally(); // refused in submit, without waiting
        TaskError busy = failure(refused);
        assertThat(busy.kind()).isEqualTo(ErrorKind.BUSY);
        assertThat(busy.getMessage()).contains("task 'busy' is busy").contains("concurrency 1, max_pending 0");
        assertThat(failure(running).kind()).isEqualTo(ErrorKind.TIMED_OUT);
        assertThat(text(submit(runner, "free again").get(30, TimeUnit.SECONDS))).isEqualTo("echo free again");
    }

    @Test
    void deadlinesAreOnTheInjectedClock() throws Exception {
        // The clock reads a minute later after the deadline is computed (the first reading), so the
        // message's 30 s are over before it runs although hardly any real time goes by.
        long start = System.nanoTime();
        AtomicLong readings = new AtomicLong();
        LongSupplier clock = () -> readings.getAndIncrement() == 0 ? start : start + TimeUnit.MINUTES.toNanos(1);
        TaskRunner runner = runners.runner(script("late", "concurrency = 1\ntimeout = \"30s\""), clock);
        readings.set(0); // warming the pool read the clock too

        TaskError error = failure(submit(runner, "hi"));

        assertThat(error.kind()).isEqualTo(ErrorKind.TIMED_OUT);
    }

    @Test
    void aClosedRunnerRefusesNewMessagesAsStopping() throws Exception {
        TaskRunner runner = runner("closed", "");
        runner.close(Duration.ofSeconds(5));

        TaskError error = failure(submit(runner, "hi"));

        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.getMessage()).isEqualTo("task 'closed' is stopping; retry on another host");
    }

    @Test
    void closingLetsQueuedCallsFinishWithinTheDrain() throws Exception {
        TaskRunner runner = runner("draining", "concurrency = 1");
        List<CompletableFuture<TaskReply>> queued = List.of(submit(runner, "a"), submit(runner, "b"), submit(runner, "c"));

        runner.close(Duration.ofSeconds(20));

        for (int i = 0; i < queued.size(); i++) {
            assertThat(text(queued.get(i).getNow(null))).isEqualTo("echo " + "abc".charAt(i));
        }
    }

    @Test
    void aCallStuckInALoopIsCancelledWhenTheDrainEndsSoCloseReturns() throws Exception {
        TaskRunner runner = runner("stuck", "timeout = \"1h\"");
        CompletableFuture<TaskReply> stuck = submit(runner, "spin");
        Await.until(Duration.ofSeconds(20), "the call to be running", () -> runner.poolStats().leased() == 1);

        runner.close(Duration.ofMillis(200));

        TaskError error = failure(stuck);
        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.getMessage()).isEqualTo("task 'stuck' was stopped while running; retry");
        assertThat(runner.poolStats().live()).isZero();
    }

    @Test
    void callsStillQueuedAfterTheDrainAreAnsweredUnavailable() throws Exception {
        TaskRunner runner = runner("abandoned", "concurrency = 1\ntimeout = \"2s\"");
        CompletableFuture<TaskReply> running = submit(runner, "spin");
        CompletableFuture<TaskReply> waiting = submit(runner, "never");

        runner.close(Duration.ofMillis(1)); // the spinning call holds the only worker past the drain

        TaskError error = failure(waiting);
        assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        assertThat(error.getMessage()).isEqualTo("task 'abandoned' stopped before this message ran; retry");
        assertThat(failure(running).kind()).isIn(ErrorKind.TIMED_OUT, ErrorKind.UNAVAILABLE, ErrorKind.CRASHED);
    }
}
