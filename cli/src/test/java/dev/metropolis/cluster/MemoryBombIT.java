package dev.metropolis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.task.WireHeaders;
import dev.metropolis.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that fills the heap and keeps what it allocated (a module-level list) in a host process
 * with a small heap, while another task is called one request after another: the memory guard
 * stops the bomb with a clear error, and every other request is answered, during and after.
 * Without the guard the bomb is never answered and about half of the other requests are lost
 * (measured in docs/STACK.md).
 */
@Timeout(240)
class MemoryBombIT {
    private static final Path LOGS = Path.of("target", "memory-test").toAbsolutePath();

    @Test
    void aTaskFillingTheHeapIsStoppedAndTheOthersAreAnswered(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("hoard.py"), """
                # /// metropolis
                # subject = "mem.hoard"
                # timeout = "60s"
                # ///
                kept = []

                def handle(body, msg):
                    while True:
                        kept.append(bytearray(64 * 1024))
                """);
        Files.writeString(scripts.resolve("echo.js"), """
                // /// metropolis
                // subject = "mem.echo"
                // ///
                export function handle(body, msg) { return body; }
                """);
        try (TestNats server = TestNats.start();
                Connection nats = server.connect();
                HostProcess host = HostProcess.start("bomb-host", scripts, server.url(), Duration.ofSeconds(5), LOGS,
                        List.of("-Xmx384m")).awaitReady(Duration.ofSeconds(120))) {
            for (int round = 1; round <= 2; round++) {
                CompletableFuture<Message> bomb = nats.requestWithTimeout("mem.hoard", new byte[0], Duration.ofSeconds(90));
                int echoes = 0;
                while (!bomb.isDone()) {
                    assertEcho(nats, "during " + round + "." + echoes++, host);
                }
                Message stopped = bomb.get(1, TimeUnit.SECONDS);
                String error = stopped.getHeaders().getFirst(WireHeaders.SERVICE_ERROR);
                assertThat(error).as(host.describe()).contains("task 'hoard' ran out of memory on subject 'mem.hoard'")
                        .contains("--max-heap").doesNotContain("java.");
                assertThat(stopped.getHeaders().getFirst(WireHeaders.SERVICE_ERROR_CODE)).isEqualTo("500");
                for (int i = 0; i < 20; i++) {
                    assertEcho(nats, "after " + round + "." + i, host);
                }
            }
            assertThat(host.isAlive()).isTrue();
            assertThat(host.answered("echo")).isGreaterThanOrEqualTo(40);
        }
    }

    private static void assertEcho(Connection nats, String body, HostProcess host) throws Exception {
        Message reply = nats.requestWithTimeout("mem.echo", new Headers().put("Content-Type", "text/plain"),
                body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
        assertThat(reply.getHeaders() == null ? null : reply.getHeaders().getFirst(WireHeaders.SERVICE_ERROR))
                .as(host.describe()).isNull();
        assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo(body);
    }
}
