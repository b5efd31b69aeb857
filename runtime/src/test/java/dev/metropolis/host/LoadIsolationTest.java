package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.testkit.Await;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A script stuck in its module-level code delays no other script, and ends as a load error at the load timeout. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadIsolationTest {
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path scripts;

    @Test
    void anotherPythonScriptServesWhileOneIsStuckLoadingAndTheStuckOneFailsAtTheLoadTimeout() throws Exception {
        Files.writeString(scripts.resolve("stuck.py"), """
                # /// metropolis
                # subject = "iso.stuck"
                # ///
                while True:
                    pass

                def handle(body, msg):
                    return body
                """);
        Files.writeString(scripts.resolve("quick.py"), """
                # /// metropolis
                # subject = "iso.quick"
                # ///
                def handle(body, msg):
                    return "quick " + body
                """);
        try (TestNats server = TestNats.start(); Connection client = TestSupport.client(server.port())) {
            HostConfig config = new HostConfig(scripts, server.settings(), Duration.ofSeconds(2)).withLoadTimeout(LOAD_TIMEOUT);
            CompletableFuture<Host> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return Host.builder(config, TestSupport.ENGINES).start();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                String answer = Await.value(LOAD_TIMEOUT, "quick.py to answer while stuck.py loads",
                        () -> TestSupport.text(TestSupport.request(client, "iso.quick", "hi")), "quick hi"::equals);
                boolean stillLoading = !starting.isDone();

                Host host = starting.get(60, TimeUnit.SECONDS);
                assertThat(answer).isEqualTo("quick hi");
                assertThat(stillLoading).as("the host was still loading stuck.py when quick.py answered").isTrue();
                assertThat(host.problems()).extracting(ScriptProblem::getMessage).singleElement().asString()
                        .contains("stuck.py").contains("load timeout of 20s");
                assertThat(TestSupport.text(TestSupport.request(client, "iso.quick", "again"))).isEqualTo("quick again");
            } finally {
                starting.thenAccept(Host::close).get(60, TimeUnit.SECONDS);
            }
        }
    }
}
