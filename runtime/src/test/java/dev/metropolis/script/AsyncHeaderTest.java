package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.task.TaskMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The header key {@code async}: read, published in discovery, refused at its line where it cannot apply. */
@Timeout(10)
class AsyncHeaderTest {
    private static final Path PY = Path.of("tasks/resize.py");

    @Test
    void aRouteIsSynchronousUnlessTheHeaderSaysAsync() throws ScriptProblem {
        assertThat(parse(py("subject = \"images.resize\"")).async()).isFalse();
        assertThat(parse(py("subject = \"images.resize\"", "async = true")).async()).isTrue();
        assertThat(parse(py("subject = \"images.resize\"", "async = false")).async()).isFalse();
    }

    @Test
    void discoveryCarriesAsyncOnlyWhenSet() {
        TaskMetadata async = new TaskMetadata("resize", "python", "resize.py", java.util.List.of("images.resize"), "metropolis",
                "1.0.0", Duration.ofSeconds(5), 4, null, Map.of(), "request", true);
        assertThat(async.toMap()).containsEntry(TaskMetadata.ASYNC, "true");
        assertThat(TaskMetadata.fromMap(async.toMap()).async()).isTrue();
        TaskMetadata sync = new TaskMetadata("resize", "python", "resize.py", java.util.List.of("images.resize"), "metropolis",
                "1.0.0", Duration.ofSeconds(5), 4, null, Map.of(), "request");
        assertThat(sync.toMap()).doesNotContainKey(TaskMetadata.ASYNC);
        assertThat(TaskMetadata.fromMap(sync.toMap()).async()).isFalse();
    }

    @Test
    void aValueThatIsNotABooleanIsReportedAtItsLine() {
        ScriptProblem problem = problem(py("subject = \"images.resize\"", "async = \"yes\""));
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).isEqualTo("key 'async': expected true or false such as true, got \"yes\"");
    }

    @Test
    void aStreamTaskCannotBeAsyncAndAMisspeltKeyIsSuggested() {
        ScriptProblem stream = problem(py("stream = \"S\"", "subject = \"a\"", "async = true"));
        assertThat(stream.line()).isEqualTo(4);
        assertThat(stream.detail()).contains("async = true needs a task that answers requests");
        assertThat(problem(py("subject = \"a\"", "asnyc = true")).detail()).endsWith("did you mean 'async'?");
    }

    private static ScriptHeader parse(String source) throws ScriptProblem {
        return HeaderParser.parse(PY, source, Language.PYTHON).orElseThrow();
    }

    private static String py(String... tomlLines) {
        return "# /// metropolis\n" + Stream.of(tomlLines).map(line -> "# " + line + "\n").collect(Collectors.joining())
                + "# ///\ndef handle(body, msg): ...\n";
    }

    private static ScriptProblem problem(String source) {
        try {
            Optional<ScriptHeader> header = HeaderParser.parse(PY, source, Language.PYTHON);
            throw new AssertionError("expected a ScriptProblem, got " + header);
        } catch (ScriptProblem problem) {
            return problem;
        }
    }
}
