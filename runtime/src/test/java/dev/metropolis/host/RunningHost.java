package dev.metropolis.host;

import dev.metropolis.testkit.FreePort;
import dev.metropolis.nats.LocalNatsServer;
import dev.metropolis.nats.NatsSettings;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.time.Duration;

/** A nats-server on a free port, a host on a scripts folder, and a client: the fixture of the host tests. */
final class RunningHost implements AutoCloseable {
    final LocalNatsServer server;
    final Host host;
    final Connection nats;

    private RunningHost(LocalNatsServer server, Host host, Connection nats) {
        this.server = server;
        this.host = host;
        this.nats = nats;
    }

    static RunningHost start(Path scripts, boolean watch) throws Exception {
        int port = FreePort.next();
        LocalNatsServer server = LocalNatsServer.start(port, System.getenv());
        try {
            // A generous load timeout: with every example loading at once on 2 busy cores, a Python
            // example's imports alone have taken more than the default 5 s (see docs/STACK.md).
            Host host = Host.builder(new HostConfig(scripts, NatsSettings.of("nats://127.0.0.1:" + port), Duration.ofSeconds(5),
                    watch).withLoadTimeout(Duration.ofSeconds(60)), TestSupport.ENGINES).start();
            return new RunningHost(server, host, TestSupport.client(port));
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        nats.close();
        host.close();
        server.close();
    }
}
