package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Module-level code that does not finish is stopped at the load timeout and reported with its file and the limit. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadLimitTest {
    private static Engines engines;
    private static GuestContexts contexts;

    @TempDir
    Path folder;

    @BeforeAll
    static void engines() {
        engines = new Engines();
        contexts = new GuestContexts(engines, TaskServices.none(), Duration.ofSeconds(1));
    }

    @AfterAll
    static void close() {
        engines.close();
    }

    @Test
    void aPythonLoopAtTopLevelIsALoadErrorNamingTheFileAndTheLimit() throws Exception {
        TaskScript script = script("loop.py", "#", "x = 1\nwhile True:\n    x += 1\n\ndef handle(body, msg):\n    return body\n");

        ScriptProblem problem = catchThrowableOfType(ScriptProblem.class, () -> contexts.factory(script).call());

        assertThat(problem.getMessage()).contains("loop.py").contains("load timeout of 1s")
                .contains("module-level code must not loop or block").doesNotContain("Exception");
    }

    @Test
    void aPythonSleepAtTopLevelIsStoppedToo() throws Exception {
        TaskScript script = script("sleepy.py", "#", "import time\ntime.sleep(30)\n\ndef handle(body, msg):\n    return body\n");

        ScriptProblem problem = catchThrowableOfType(ScriptProblem.class, () -> contexts.factory(script).call());

        assertThat(problem.getMessage()).contains("sleepy.py").contains("load timeout of 1s");
    }

    @Test
    void aJavaScriptLoopAtTopLevelIsALoadErrorToo() throws Exception {
        TaskScript script = script("loop.js", "//", "let x = 0;\nwhile (true) { x++; }\nexport function handle(body) { return body; }\n");

        ScriptProblem problem = catchThrowableOfType(ScriptProblem.class, () -> contexts.factory(script).call());

        assertThat(problem.getMessage()).contains("loop.js").contains("load timeout of 1s").contains("was still running");
    }

    @Test
    void aScriptThatLoadsInTimeServes() throws Exception {
        TaskScript script = script("quick.py", "#", "def handle(body, msg):\n    return 'ok'\n");

        try (GuestContext context = contexts.factory(script).call()) {
            assertThat(context.script().name()).isEqualTo("quick");
        }
    }

    private TaskScript script(String name, String comment, String body) throws Exception {
        Path file = folder.resolve(name);
        Files.writeString(file, comment + " /// metropolis\n" + comment + " subject = \"load." + name.replace('.', '-') + "\"\n"
                + comment + " ///\n" + body);
        return TaskScript.load(file).orElseThrow();
    }
}
