package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.testkit.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A script granted a key-value bucket on a nats-server without JetStream is a load error that says why. */
@Timeout(120)
class KvWithoutJetStreamTest {

    @Test
    void aBucketGrantWithoutJetStreamIsALoadErrorAndTheOthersServe(@TempDir Path scripts, @TempDir Path logs)
            throws Exception {
        Files.writeString(scripts.resolve("state.js"), """
                // /// metropolis
                // subject = "state.get"
                // [allow]
                // kv = ["carts"]
                // ///
                export async function handle(body) { return await metropolis.kv('carts').get('x'); }
                """);
        Files.writeString(scripts.resolve("plain.js"), """
                // /// metropolis
                // subject = "plain.echo"
                // ///
                export function handle(body) { return body; }
                """);
        int port = FreePort.next();
        try (LocalNatsServer server = LocalNatsServer.start(port, List.of(), logs.resolve("nats.log"), System.getenv());
                Host host = Host.builder(new HostConfig(scripts, NatsSettings.of("nats://127.0.0.1:" + port),
                        Duration.ofSeconds(2)), TestSupport.ENGINES).start()) {
            assertThat(host.served()).extracting(script -> script.name()).containsExactly("plain");
            assertThat(host.problems()).singleElement().satisfies((ScriptProblem problem) -> {
                assertThat(problem.file().getFileName().toString()).isEqualTo("state.js");
                assertThat(problem.detail()).isEqualTo("key 'allow.kv': the NATS server has no JetStream, which key-value"
                        + " buckets need; start nats-server with -js (or remove the grant)");
            });
        }
    }
}
