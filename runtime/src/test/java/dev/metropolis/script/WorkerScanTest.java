package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a worker file's decorators without running it, and the load errors of bad ones (file and line). */
class WorkerScanTest {
    private static final Path FILE = Path.of("scripts/worker.py");
    private static final String HEAD = """
            from metropolis import Worker

            worker = Worker(nats='nats://localhost:4222')
            """;

    @Test
    void readsEachDecoratorsSubjectQueueAndLine() throws ScriptProblem {
        WorkerTasks tasks = WorkerScan.scan(FILE, HEAD + """

                @worker.task(subject='foo.bar', queue='worker')
                def one(data, *args, **kwargs):
                    return data

                @worker.task("foo.*", "worker")  # positional, as the original's signature allows
                def two(data):
                    return data
                worker.task(
                    subject='orders.>',
                    queue='worker',
                )(two)
                """).orElseThrow();

        assertThat(tasks.tasks()).containsExactly(new WorkerTasks.Task("foo.bar", "worker", 5),
                new WorkerTasks.Task("foo.*", "worker", 9), new WorkerTasks.Task("orders.>", "worker", 12));
    }

    @Test
    void aFileWithoutAWorkerIsNotAWorkerFile() throws ScriptProblem {
        assertThat(WorkerScan.scan(FILE, "def handle(body, msg):\n    return body\n")).isEmpty();
        assertThat(WorkerScan.scan(FILE, "from metropolis import Worker\nNATS_URL = 'nats://x'\n")).isEmpty();
        assertThat(WorkerScan.scan(FILE, "import metropolis\nclass Q:\n    def task(self): pass\nq = Q()\nq.task()\n"))
                .isEmpty();
    }

    @Test
    void aSubjectThatIsNotAValidNatsSubjectIsALoadErrorAtItsLine() {
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "@worker.task(subject='foo..bar', queue='w')\ndef f(): pass\n"))
                .isInstanceOfSatisfying(ScriptProblem.class, problem -> assertThat(problem.line()).isEqualTo(4))
                .hasMessageContaining("scripts/worker.py:4")
                .hasMessageContaining("subject 'foo..bar' is not a valid NATS subject");
    }

    @Test
    void twoDecoratorsOnOneSubjectAndQueueNameBothLines() {
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + """
                @worker.task(subject='foo.bar', queue='w')
                def f(data): pass
                @worker.task(subject='foo.bar', queue='w')
                def g(data): pass
                """))
                .isInstanceOfSatisfying(ScriptProblem.class, problem -> assertThat(problem.line()).isEqualTo(6))
                .hasMessageContaining("a second task on subject 'foo.bar' in queue 'w'; the first is at line 4");
    }

    @Test
    void tasksInTwoQueuesAreRefusedAsTwoServicesInOneFile() {
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + """
                @worker.task(subject='a.b', queue='one')
                def f(data): pass
                @worker.task(subject='a.c', queue='two')
                def g(data): pass
                """))
                .hasMessageContaining("worker.py:6")
                .hasMessageContaining("queue 'two' differs from 'one' at line 4");
    }

    @Test
    void aSubjectTheHostCannotReadBeforeRunningTheFileIsALoadError() {
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "import settings\n@worker.task(subject=settings.SUBJECT, queue='w')\n"))
                .hasMessageContaining("worker.py:5")
                .hasMessageContaining("worker.task's subject is settings.SUBJECT, not a string literal");
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "@worker.task(subject=f'a.{x}', queue='w')\n"))
                .hasMessageContaining("not a string literal");
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "@worker.task(queue='w')\n"))
                .hasMessageContaining("worker.task names no subject");
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "@worker.task(subject='a', durable='x')\n"))
                .hasMessageContaining("worker.task takes subject and queue, got 'durable'");
        assertThatThrownBy(() -> WorkerScan.scan(FILE, HEAD + "@worker.task(subject='a', queue='w'\ndef f(): pass\n"))
                .hasMessageContaining("worker.py:4").hasMessageContaining("worker.task( is never closed");
    }

    @Test
    void aHeaderGivesLimitsAndTheDecoratorsWinOnSubjectsWithANote(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("limited.py");
        Files.writeString(file, """
                # /// metropolis
                # subject = "other.subject"
                # queue = "other"
                # timeout = "2s"
                # concurrency = 1
                # ///
                """ + HEAD + """
                @worker.task(subject='foo.bar', queue='worker')
                def f(data): return data
                """);

        TaskScript script = TaskScript.load(file).orElseThrow();

        assertThat(script.isWorker()).isTrue();
        assertThat(script.header().subjects()).containsExactly("foo.bar");
        assertThat(script.header().queue()).isEqualTo("worker");
        assertThat(script.header().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(script.header().concurrency()).isEqualTo(1);
        assertThat(script.worker().notes()).containsExactly(
                "limited.py: the header's subject other.subject is ignored: the @worker.task decorators name the subjects"
                        + " (foo.bar); remove 'subject' from the header",
                "limited.py: the header's queue 'other' is ignored: the decorators name queue 'worker'");
    }

    @Test
    void aHeaderWithoutASubjectIsEnoughForLimits(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("limited.py");
        Files.writeString(file, "# /// metropolis\n# timeout = \"1s\"\n# ///\n" + HEAD
                + "@worker.task(subject='foo.bar', queue='worker')\ndef f(data): return data\n");

        TaskScript script = TaskScript.load(file).orElseThrow();

        assertThat(script.header().subjects()).isEqualTo(List.of("foo.bar"));
        assertThat(script.header().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(script.worker().notes()).isEmpty();
    }

    @Test
    void aStreamHeaderOnAWorkerFileIsRefused(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("streamed.py");
        Files.writeString(file, "# /// metropolis\n# stream = \"S\"\n# subject = \"s.x\"\n# ///\n" + HEAD
                + "@worker.task(subject='foo.bar', queue='worker')\ndef f(data): return data\n");

        assertThatThrownBy(() -> TaskScript.load(file)).hasMessageContaining("streamed.py:8")
                .hasMessageContaining("the @worker.task decorators answer requests");
    }
}
