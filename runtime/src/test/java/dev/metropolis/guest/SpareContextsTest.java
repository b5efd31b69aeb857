package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spare Python context a watching host keeps: a script that takes it sees exactly what a
 * context of its own would (its grants, its imports, its output under its name), the next script
 * gets a fresh one, and JavaScript or a script with an engine of its own never takes it.
 */
@Timeout(180)
class SpareContextsTest {
    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path folder;

    private Engines engines;
    private GuestContexts contexts;
    private final List<String> printed = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName().startsWith("task.")) {
                printed.add(record.getLoggerName() + ": " + record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void start() {
        engines = new Engines();
        contexts = new GuestContexts(engines);
        Logger.getLogger("").addHandler(capture);
        contexts.keepSpares(folder);
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(capture);
        contexts.close();
        engines.close();
    }

    private TaskScript script(String name, String header, String body) throws Exception {
        Path file = folder.resolve(name);
        String prefix = name.endsWith(".py") ? "# " : "// ";
        StringBuilder source = new StringBuilder(prefix).append("/// metropolis\n")
                .append(prefix).append("subject = \"t.").append(name.replace('.', '_')).append("\"\n");
        for (String line : header.lines().toList()) {
            source.append(prefix).append(line).append('\n');
        }
        source.append(prefix).append("///\n").append(body);
        Files.writeString(file, source, StandardCharsets.UTF_8);
        return TaskScript.load(file).orElseThrow();
    }

    private static String answer(GuestContext context, String body) {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        return new String(context.invoke(new TaskRequest("t.x", null, Map.of(), data), Payload.classify(null, data),
                Duration.ofSeconds(20)).body(), StandardCharsets.UTF_8);
    }

    private void awaitSpare() {
        Await.until(READY, "a spare Python context", () -> contexts.spares().isReady());
    }

    @Test
    void aScriptTakingTheSpareGetsItsOwnGrantsImportsAndOutput() throws Exception {
        Files.createDirectories(folder.resolve("data"));
        Files.writeString(folder.resolve("data/a.txt"), "for a");
        Files.writeString(folder.resolve("helper.py"), "def shout(text):\n    return text.upper()\n");
        TaskScript first = script("first.py", "[allow]\nfiles = [\"data/a.txt\"]", """
                import helper
                print("loaded first")
                def handle(body, msg):
                    if body == "other":
                        return open("data/b.txt").read()
                    return helper.shout(open("data/a.txt").read())
                """);
        TaskScript second = script("second.py", "", """
                def handle(body, msg):
                    return open("data/a.txt").read()
                """);
        Files.writeString(folder.resolve("data/b.txt"), "for nobody");
        awaitSpare();

        GuestFactory firstFactory = contexts.factory(first);
        try (GuestContext context = firstFactory.call()) {
            assertThat(contexts.spares().taken()).isEqualTo(1);
            assertThat(answer(context, "mine")).isEqualTo("FOR A");
            assertThatThrownBy(() -> answer(context, "other")).isInstanceOf(TaskError.class)
                    .hasMessageContaining("data/b.txt").hasMessageContaining("first.py");
        }
        assertThat(printed).contains("task.first: loaded first");
        assertThat(firstFactory.filesRead()).contains(folder.resolve("helper.py").toRealPath(),
                folder.resolve("data/a.txt").toRealPath());

        awaitSpare(); // the next one, made after the first was taken
        GuestFactory secondFactory = contexts.factory(second);
        try (GuestContext context = secondFactory.call()) {
            assertThat(contexts.spares().taken()).isEqualTo(2);
            // The first script's grant is not the second's: a fresh context, its own file system.
            assertThatThrownBy(() -> answer(context, "x")).isInstanceOf(TaskError.class)
                    .hasMessageContaining("data/a.txt").hasMessageContaining("second.py");
        }
        assertThat(secondFactory.filesRead()).doesNotContain(folder.resolve("helper.py").toRealPath());
    }

    @Test
    void theSpareHasImportedTheStandardModulesTheFolderUsesButNoneOfTheFoldersOwn() throws Exception {
        Files.writeString(folder.resolve("helper.py"), "VALUE = 1\n");
        TaskScript script = script("user.py", "", """
                import sys
                seen = {name: name in sys.modules for name in ("colorsys", "helper")}
                import colorsys, helper
                from json import dumps
                def handle(body, msg):
                    return seen
                """);
        try (GuestContexts fresh = new GuestContexts(engines)) {
            fresh.keepSpares(folder); // made now: it reads the imports of user.py
            Await.until(READY, "a spare Python context", () -> fresh.spares().isReady());
            try (GuestContext context = fresh.factory(script).call()) {
                assertThat(fresh.spares().taken()).isEqualTo(1);
                assertThat(answer(context, "")).isEqualTo("{\"colorsys\":true,\"helper\":false}");
            }
        }
        // Without a spare, nothing is there before the script imports it.
        try (GuestContexts unspared = new GuestContexts(engines); GuestContext context = unspared.factory(script).call()) {
            assertThat(answer(context, "")).isEqualTo("{\"colorsys\":false,\"helper\":false}");
        }
        assertThat(PythonLanguage.importedBy(folder)).containsSequence("sys", "colorsys", "helper", "json");
    }

    @Test
    void javaScriptAndScriptsWithAnEngineOfTheirOwnDoNotTakeIt() throws Exception {
        TaskScript js = script("echo.js", "", "function handle(body, msg) { return body; }\n");
        TaskScript alone = script("alone.py", "concurrency = 1", "def handle(body, msg):\n    return body\n");
        awaitSpare();

        try (GuestContext context = contexts.factory(js).call()) {
            assertThat(answer(context, "hi")).isEqualTo("hi");
        }
        try (GuestContext context = contexts.factory(alone).call()) {
            assertThat(answer(context, "hi")).isEqualTo("hi");
        }
        assertThat(contexts.spares().taken()).isZero();
        assertThat(contexts.spares().isReady()).isTrue();
    }
}
