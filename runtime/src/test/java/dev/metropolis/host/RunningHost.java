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
            Host host = Host.builder(new HostConfig(scripts, NatsSettings.of("nats://127.0.0.1:" + port), Duration.ofSeconds(5),
                    watch), TestSupport.ENGINES).start();
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
