package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.ServiceDiscovery;
import dev.metropolis.task.HostEvent;
import dev.metropolis.task.TaskMetadata;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the console reads from a host: its events as scripts come and go, and each endpoint's last seconds. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HostEventsTest {
    private static final String ECHO = """
            // /// metropolis
            // subject = "events.echo"
            // ///
            export function handle(body) {
              if (body === 'fail') throw new metropolis.TaskError('refused on purpose', 422);
              return body;
            }
            """;

    @Test
    void scriptsServedReloadedRefusedAndStoppedAreEvents(@TempDir Path scripts) throws Exception {
        try (RunningHost running = RunningHost.start(scripts, true)) {
            Subscription events = running.nats.subscribe(HostEvent.ALL_HOSTS);
            running.nats.flush(Duration.ofSeconds(5));
            Path echo = scripts.resolve("echo.js");

            Files.writeString(echo, ECHO);
            HostEvent served = next(events, HostEvent.Type.SERVED);
            Files.writeString(echo, ECHO.replace("return body;", "return body + '!';"));
            HostEvent reloaded = next(events, HostEvent.Type.RELOADED);
            Files.writeString(echo, ECHO.replace("subject =", "subjec ="));
            HostEvent failed = next(events, HostEvent.Type.RELOAD_FAILED);
            Files.writeString(scripts.resolve("broken.js"), "// /// metropolis\n// subject = \"x.y\"\n// timeout = \"soon\"\n// ///\n");
            HostEvent refused = next(events, HostEvent.Type.LOAD_ERROR);
            Files.delete(echo);
            HostEvent stopped = next(events, HostEvent.Type.STOPPED);

            assertThat(served.task()).isEqualTo("echo");
            assertThat(served.file()).isEqualTo("echo.js");
            assertThat(served.message()).startsWith("events.echo (request");
            assertThat(served.host()).isEqualTo(HostNames.local());
            assertThat(reloaded.task()).isEqualTo("echo");
            assertThat(failed.message()).startsWith("echo.js:2: ").contains("subjec");
            assertThat(refused.file()).isEqualTo("broken.js");
            assertThat(refused.line()).isEqualTo(3);
            assertThat(refused.message()).startsWith("broken.js:3: ").contains("timeout");
            assertThat(stopped.message()).contains("stopped serving events.echo");
        }
    }

    @Test
    void statsCarryTheLastSecondsAndTheHostsName(@TempDir Path scripts) throws Exception {
        Files.writeString(scripts.resolve("echo.js"), ECHO);
        try (RunningHost running = RunningHost.start(scripts, false)) {
            TestSupport.request(running.nats, "events.echo", "hello");
            TestSupport.request(running.nats, "events.echo", new Headers().put("X-Request-Id", "req-42"),
                    "fail".getBytes(StandardCharsets.UTF_8));

            ServiceDiscovery.ServiceStats stats = ServiceDiscovery.stats(running.nats, Duration.ofMillis(500), 10).services()
                    .stream().filter(service -> service.name().equals("echo")).findFirst().orElseThrow();

            assertThat(stats.metadata()).containsEntry(TaskMetadata.HOST, HostNames.local());
            var data = stats.endpoints().getFirst().data();
            assertThat(data.requests()).isEqualTo(2);
            assertThat(data.errors()).isEqualTo(1);
            assertThat(data.lastErrors()).singleElement().satisfies(error -> {
                assertThat(error.requestId()).isEqualTo("req-42");
                assertThat(error.error()).isEqualTo("422 refused on purpose");
            });
        }
    }

    /** The next event of {@code type}, skipping others (a save may be seen as more than one change). */
    private static HostEvent next(Subscription events, HostEvent.Type type) throws Exception {
        List<HostEvent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var message = events.nextMessage(Duration.ofMillis(200));
            if (message == null) {
                continue;
            }
            HostEvent event = HostEvent.fromJson(message.getData());
            if (event.type() == type) {
                return event;
            }
            seen.add(event);
        }
        throw new AssertionError("no " + type + " event within 20 s; saw " + seen);
    }
}
