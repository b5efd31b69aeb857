package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.guest.Engines;
import dev.metropolis.host.Host;
import dev.metropolis.host.HostConfig;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.Closing;
import dev.metropolis.testkit.TestNats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs for script authors on real scripts, GraalPy, GraalJS and a real nats-server: {@code new}
 * writes tasks that {@code check} passes and a host serves, {@code check} names broken files by line,
 * {@code ls} lists what is announced, {@code request} reads bodies from files and stdin and says more with -v.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class AuthorVerbsTest {
    private static final String LOAD_TIMEOUT = "--load-timeout=60s"; // 2 shared cores: the first Python context is slow
    private Path folder;
    private TestNats server;
    private Engines engines;
    private Host host;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        folder = tmp.resolve("orders");
        assertThat(run(() -> NewCommand.run(new String[] {folder.resolve("create.py").toString()}, out)).status).isZero();
        assertThat(run(() -> NewCommand.run(new String[] {folder.resolve("show.js").toString()}, out)).status).isZero();
        server = TestNats.start();
        engines = new Engines();
        host = Host.builder(new HostConfig(folder, server.settings(), Duration.ofSeconds(2)).withLoadTimeout(Duration.ofSeconds(60)),
                engines).start();
    }

    @AfterAll
    void stop() throws Exception {
        Closing.closeAll(host, engines, server);
    }

    @Test
    void newWritesATaskThatServesAndSaysHowToCallIt() throws Exception {
        Result made = run(() -> NewCommand.run(new String[] {folder.resolveSibling("extra").resolve("hello.js").toString()}, out));
        assertThat(made.out).contains("task 'hello' on subject extra.hello")
                .contains("./metropolis request extra.hello '{\"name\": \"ada\"}'")
                .contains("curl -d '{\"name\": \"ada\"}' localhost:8080/extra/hello");
        assertThat(Files.readString(folder.resolve("create.py"))).startsWith("# /// metropolis\n# subject = \"orders.create\"")
                .contains("# [input]");

        assertThat(request("orders.create", "{\"name\": \"ada\"}").out.strip())
                .isEqualTo("{\"hello\":\"ada\",\"subject\":\"orders.create\"}");
        assertThat(request("orders.show", "{\"name\": \"bob\"}").out).contains("\"hello\":\"bob\"");
        Result refused = request("orders.show", "{}");
        assertThat(refused.status).isEqualTo(1);
        // In this JVM the host's own log lines may land on the same stderr: look for the command's line.
        assertThat(refused.err.lines().filter(line -> line.startsWith("error 422: ")).findFirst()).get(
                org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("\"rule\":\"required\"");
    }

    @Test
    void newNeverOverwritesAndRefusesOtherFiles() throws Exception {
        String existing = folder.resolve("create.py").toString();
        String before = Files.readString(Path.of(existing));
        assertThatThrownBy(() -> NewCommand.run(new String[] {existing}, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IOException.class).hasMessageContaining("exists already; 'new' never overwrites");
        assertThat(Files.readString(Path.of(existing))).isEqualTo(before);
        assertThatThrownBy(() -> NewCommand.run(new String[] {"notes.txt"}, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(UsageException.class).hasMessageContaining("does not end in .py, .js or .mjs");
    }

    @Test
    void checkPassesWhatNewWroteAndNamesEachBrokenFileByLine(@TempDir Path broken) throws Exception {
        Result good = run(() -> CheckCommand.run(new String[] {folder.toString(), LOAD_TIMEOUT}, Map.of(), out));
        assertThat(good.status).as(good.out).isZero();
        assertThat(good.out).contains("ok     " + folder.resolve("create.py") + ": task create (python) on orders.create,"
                + " input schema").contains("2 task(s) ok, 0 module(s), 0 problem(s)");

        Files.writeString(broken.resolve("schema.js"), "// /// metropolis\n// subject = \"a.b\"\n// input = { type = \"objekt\" }\n"
                + "// ///\nexport function handle(b) { return b; }\n");
        Files.writeString(broken.resolve("syntax.js"), "// /// metropolis\n// subject = \"a.c\"\n// ///\nexport function handle(b) {\n");
        Files.writeString(broken.resolve("imports.py"), "# /// metropolis\n# subject = \"a.d\"\n# ///\nimport nowhere_to_be_found\n"
                + "def handle(b, m):\n    return b\n");
        Result bad = run(() -> CheckCommand.run(new String[] {broken.toString(), LOAD_TIMEOUT}, Map.of(), out));

        assertThat(bad.status).isEqualTo(1);
        assertThat(bad.out).contains(broken.resolve("schema.js") + ":3: key 'input': not a valid JSON Schema (draft 2020-12):")
                .contains(broken.resolve("syntax.js") + ":")
                .contains(broken.resolve("imports.py") + ":4: ")
                .contains("0 task(s) ok, 0 module(s), 3 problem(s)");
    }

    @Test
    void lsListsTheAnnouncedTasksAsATable() throws Exception {
        Await.until(Duration.ofSeconds(30), "both tasks announced", () -> {
            Result listed = run(() -> LsCommand.run(new String[] {"--nats", server.url()}, Map.of(), out, err));
            return listed.out.contains("create") && listed.out.contains("show");
        });
        Result listed = run(() -> LsCommand.run(new String[] {"--nats", server.url()}, Map.of(), out, err));
        assertThat(listed.out.lines().findFirst().orElseThrow())
                .matches("TASK +LANGUAGE +VERSION +ROUTE +SUBJECT +TRIGGER +INSTANCES +INPUT +DESCRIPTION");
        assertThat(listed.out).containsPattern("create +python +0\\.1\\.0 +\\* /orders/create +orders\\.create +request +1"
                + " +object +create: says hello");
        Result json = run(() -> LsCommand.run(new String[] {"--nats", server.url(), "--json"}, Map.of(), out, err));
        assertThat(json.out).contains("\"input\" : {").contains("\"auth\" : \"gateway default\"");
    }

    @Test
    void requestTakesItsBodyFromAFileOrStdinAndSaysMoreWithV(@TempDir Path tmp) throws Exception {
        Path body = Files.writeString(tmp.resolve("body.json"), "{\"name\": \"file\"}");
        Result fromFile = run(() -> RequestCommand.run(new String[] {"--nats", server.url(), "-v", "--header", "X-Request-Id: r-42",
                "--timeout", "20s", "orders.show", "@" + body}, Map.of(), InputStream.nullInputStream(), out, err));
        assertThat(fromFile.out).contains("\"hello\":\"file\"");
        assertThat(fromFile.err).containsPattern("< 200 from orders.show in [0-9.]+ ms \\(16 bytes sent, [0-9]+ received\\)")
                .contains("< X-Request-Id: r-42").contains("< Content-Type: application/json");

        Result fromStdin = run(() -> RequestCommand.run(new String[] {"--nats", server.url(), "orders.show", "-"}, Map.of(),
                new ByteArrayInputStream("{\"name\": \"stdin\"}".getBytes(StandardCharsets.UTF_8)), out, err));
        assertThat(fromStdin.out).contains("\"hello\":\"stdin\"");

        assertThatThrownBy(() -> RequestCommand.run(new String[] {"--nats", server.url(), "orders.show", "@" + tmp.resolve("none")},
                Map.of(), InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isInstanceOf(UsageException.class).hasMessageContaining("no file");
    }

    private Result request(String subject, String body) throws Exception {
        return run(() -> RequestCommand.run(new String[] {"--nats", server.url(), "--timeout", "20s", subject, body}, Map.of(),
                InputStream.nullInputStream(), out, err));
    }

    // ---- running a verb with its output captured -------------------------------------------------

    private PrintStream out;
    private PrintStream err;

    record Result(int status, String out, String err) {}

    @FunctionalInterface
    interface Verb {
        int run() throws Exception;
    }

    private synchronized Result run(Verb verb) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        int status = verb.run();
        return new Result(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
}
