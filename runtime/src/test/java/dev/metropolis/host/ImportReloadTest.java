package dev.metropolis.host;

import static dev.metropolis.host.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.testkit.Await;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload following imports on a real watching host: editing a helper reloads the tasks that
 * import it in both languages, a broken helper keeps the old versions serving, and header-less
 * modules are not served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class ImportReloadTest {
    private Path folder;
    private RunningHost running;
    private Connection nats;

    @BeforeAll
    void start(@TempDir Path folder) throws Exception {
        this.folder = folder;
        write("validation.py", "PREFIX = 'v1'\n");
        write("lib/money.mjs", "export const PREFIX = 'v1';\n");
        write("lib/plain.js", "exports.PREFIX = 'v1';\n");
        write("unused.py", "X = 1\n");
        write("pyuser.py", "# /// metropolis\n# subject = \"imp.py\"\n# ///\nimport validation\n"
                + "def handle(body, msg):\n    return validation.PREFIX\n");
        write("jsuser.mjs", "// /// metropolis\n// subject = \"imp.js\"\n// ///\nimport { PREFIX } from './lib/money.mjs';\n"
                + "export function handle(body) { return PREFIX; }\n");
        write("cjsuser.js", "// /// metropolis\n// subject = \"imp.cjs\"\n// ///\nconst plain = require('./lib/plain.js');\n"
                + "function handle(body) { return plain.PREFIX; }\n");
        running = RunningHost.start(folder, true);
        nats = running.nats;
    }

    @AfterAll
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    /** Saves a file the way editors do: write a temporary file, then rename it over the old one. */
    private void write(String name, String content) throws Exception {
        Path target = folder.resolve(name);
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".edit-", ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitAnswer(String subject, String expected) {
        Await.until(Duration.ofSeconds(120), subject + " to answer " + expected,
                () -> text(TestSupport.request(nats, subject, "")).equals(expected));
    }

    @Test
    @Order(1)
    void helpersAreModulesNotTasks() {
        awaitAnswer("imp.py", "v1");
        awaitAnswer("imp.js", "v1");
        awaitAnswer("imp.cjs", "v1");
        assertThat(running.host.served()).extracting(script -> script.file().getFileName().toString())
                .containsExactlyInAnyOrder("pyuser.py", "jsuser.mjs", "cjsuser.js");
        assertThat(running.host.problems()).isEmpty();
    }

    @Test
    @Order(2)
    void editingAHelperReloadsTheTasksThatImportIt() throws Exception {
        write("validation.py", "PREFIX = 'v2'\n");
        write("lib/money.mjs", "export const PREFIX = 'v2';\n");
        write("lib/plain.js", "exports.PREFIX = 'v2';\n");
        awaitAnswer("imp.py", "v2");
        awaitAnswer("imp.js", "v2");
        awaitAnswer("imp.cjs", "v2");
    }

    @Test
    @Order(3)
    void aBrokenHelperKeepsTheOldVersionsServing() throws Exception {
        write("validation.py", "PREFIX = (\n");
        write("lib/money.mjs", "export const PREFIX = ;\n");
        Await.until(Duration.ofSeconds(120), "both importers to be reported as not reloaded", () -> running.host.problems()
                .stream().map(problem -> problem.file().getFileName().toString()).toList()
                .containsAll(java.util.List.of("pyuser.py", "jsuser.mjs")));
        assertThat(running.host.problems()).anySatisfy(problem -> assertThat(problem.getMessage()).contains("pyuser.py")
                .contains("validation.py"));
        assertThat(text(TestSupport.request(nats, "imp.py", ""))).isEqualTo("v2");
        assertThat(text(TestSupport.request(nats, "imp.js", ""))).isEqualTo("v2");

        write("validation.py", "PREFIX = 'v3'\n");
        write("lib/money.mjs", "export const PREFIX = 'v3';\n");
        awaitAnswer("imp.py", "v3");
        awaitAnswer("imp.js", "v3");
        Await.until(Duration.ofSeconds(30), "the problems to clear", () -> running.host.problems().isEmpty());
    }
}
