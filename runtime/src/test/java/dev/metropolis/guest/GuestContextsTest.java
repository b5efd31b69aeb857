package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.Language;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which engine a script's contexts run on: their own when served one call at a time, else the shared one. */
class GuestContextsTest {
    private static Engines engines;
    private static GuestContexts contexts;

    @TempDir
    Path folder;

    @BeforeAll
    static void engines() {
        engines = new Engines();
        contexts = new GuestContexts(engines);
    }

    @AfterAll
    static void close() {
        engines.close();
    }

    @Test
    void aScriptServedOneCallAtATimeRunsOnAnEngineOfItsOwn() throws Exception {
        TaskScript script = script("single.js", 1);
        try (GuestContext first = contexts.factory(script).call(); GuestContext second = contexts.factory(script).call()) {
            assertThat(first.engine()).isNotSameAs(engines.get(Language.JAVASCRIPT)).isNotSameAs(second.engine());
            assertThat(answer(first)).isEqualTo("single");
        }
    }

    @Test
    void contextsOfAConcurrentScriptShareTheirLanguagesEngine() throws Exception {
        TaskScript script = script("pooled.js", 2);
        try (GuestContext first = contexts.factory(script).call(); GuestContext second = contexts.factory(script).call()) {
            assertThat(first.engine()).isSameAs(engines.get(Language.JAVASCRIPT)).isSameAs(second.engine());
            assertThat(answer(second)).isEqualTo("pooled");
        }
    }

    private TaskScript script(String name, int concurrency) throws Exception {
        Path file = folder.resolve(name);
        Files.writeString(file, """
                // /// metropolis
                // subject = "test.%s"
                // concurrency = %d
                // ///
                export function handle(body) { return "%s"; }
                """.formatted(name.replace(".js", ""), concurrency, name.replace(".js", "")));
        return TaskScript.load(file).orElseThrow();
    }

    private static String answer(GuestContext context) {
        byte[] data = "{}".getBytes(StandardCharsets.UTF_8);
        return new String(context.invoke(new TaskRequest("test.x", null, Map.of(), data), Payload.classify(null, data), java.time.Duration.ofSeconds(5)).body(),
                StandardCharsets.UTF_8);
    }
}
