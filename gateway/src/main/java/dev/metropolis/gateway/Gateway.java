package dev.metropolis.gateway;

import dev.metropolis.nats.NatsConnections;
import dev.metropolis.observe.Observability;
import dev.metropolis.observe.TelemetryBuilder;
import dev.metropolis.trace.Tracing;
import io.helidon.health.HealthCheck;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import io.nats.client.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP gateway: every task announced on NATS is reachable over HTTP. Serves at once; ready
 * (see {@code /observe/health/ready}) only while connected to NATS.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());
    /** How long one discovery round waits for services to answer. */
    private static final Duration DISCOVERY_WINDOW = Duration.ofMillis(300);
    /** How long {@link #refreshRoutes()} waits for the first NATS connection right after start. */
    private static final Duration FIRST_CONNECTION_WAIT = Duration.ofSeconds(5);

    private final AtomicReference<Connection> nats = new AtomicReference<>();
    private final RouteDiscovery discovery;
    private final Jobs jobs;
    private final TaskProxy proxy;
    /** The hosts' events, for the console's pages. */
    private final ConsoleEvents events = new ConsoleEvents();
    private final WebServer server;
    private final Thread connector;
    private final String scheme;
    /** Counted down once the first connection attempt ended, connected or not. */
    private final CountDownLatch connectAttempted = new CountDownLatch(1);

    /** How often the auth file is read again: a revoked key stops working within this. */
    static final Duration AUTH_RELOAD_CHECK = Duration.ofSeconds(1);

    private Gateway(GatewayConfig config, MeterRegistry registry, Tracing tracing, Map<String, String> env)
            throws IOException {
        this.discovery = new RouteDiscovery(nats::get, DISCOVERY_WINDOW);
        GatewayMetrics metrics = new GatewayMetrics(registry);
        this.jobs = new Jobs(discovery::current, metrics, java.time.Clock.systemUTC());
        this.proxy = new TaskProxy(nats::get, discovery::current, config.maxBodyBytes(), metrics, tracing, jobs);
        EdgeConfig edge = config.edge();
        AuthReloader auth = edge.authFile() == null ? null
                : new AuthReloader(edge.authFile(), env, AUTH_RELOAD_CHECK, System::nanoTime);
        if (auth == null) {
            LOG.log(Level.WARNING, "authentication is off (--auth off): anyone who reaches the gateway may call every task");
        }
        AccessFilter access = new AccessFilter(auth == null ? () -> null : auth::current, discovery::current,
                edge.defaultRate(), System::nanoTime);
        // HTTP/1.1 always; HTTP/2 only over TLS (chosen by ALPN): in the clear, telling an HTTP/2
        // preface from HTTP/1.1 means waiting for 24 bytes, which a short malformed request never sends.
        WebServerConfig.Builder builder = WebServer.builder().protocolsDiscoverServices(false)
                .addProtocol(Http1Config.create());
        if (edge.tlsCert() != null) {
            builder.tls(PemTls.tls(edge.tlsCert(), edge.tlsKey())).addProtocol(Http2Config.create());
        }
        this.scheme = edge.tlsCert() == null ? "http" : "https";
        this.server = builder
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(config.maxBodyBytes())
                .maxConcurrentRequests(config.maxInFlight())
                // What Helidon refuses by itself (413, 503, 400, 414, 500) speaks the gateway's error format too.
                .directHandlers(DirectErrors.handlers(config.maxBodyBytes(), config.maxInFlight()))
                .shutdownGracePeriod(config.shutdownGrace())
                .shutdownHook(false) // the CLI stops everything in order
                .addFeature(Observability.feature(registry, natsReadiness(nats)))
                .routing(routing -> {
                    if (edge.cors().enabled()) {
                        routing.addFilter(new CorsFilter(edge.cors())); // first: a preflight carries no credential
                    }
                    routing.addFilter(access);
                    consoleRouting(routing, new ConsoleStats(nats::get, DISCOVERY_WINDOW, System::nanoTime), events);
                    routing(routing, proxy, new TaskList(discovery::current, access::edge), jobs); // ends with the catch-all
                })
                .build();
        // Connecting may wait for NATS indefinitely: HTTP serves (and reports not ready) meanwhile.
        this.connector = Thread.ofPlatform().daemon(true).name("gateway-nats-connect").unstarted(() -> connect(config));
    }

    /** A gateway for {@code config}. */
    public static Builder builder(GatewayConfig config) {
        return new Builder(config);
    }

    /** What a gateway is given besides its configuration; see {@link TelemetryBuilder} for the defaults. */
    public static final class Builder extends TelemetryBuilder<Builder> {
        private final GatewayConfig config;
        private Map<String, String> environment = Map.of();

        private Builder(GatewayConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The environment the auth file's {@code secret_env} is read from; none by default. */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** Starts the gateway; returns once HTTP is listening (NATS may still be connecting). */
        public Gateway start() {
            try {
                return Gateway.start(new Gateway(config, registry(), tracing(), environment), config);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    private static Gateway start(Gateway gateway, GatewayConfig config) {
        gateway.server.start();
        gateway.connector.start();
        gateway.discovery.start(config.discoveryInterval());
        LOG.log(Level.INFO, "gateway listening on {0}://{1}:{2} (GET /tasks lists the routes)",
                new Object[] {gateway.scheme, config.host(), String.valueOf(gateway.server.port())});
        return gateway;
    }

    /** The gateway's routes; a function of its parts so tests can build the same routing. */
    static void routing(HttpRouting.Builder routing, TaskProxy proxy, TaskList tasks, Jobs jobs) {
        routing.get("/tasks", tasks);
        if (jobs != null) {
            routing.get("/jobs/{id}", jobs); // so /jobs/... is not a task's default route
        }
        routing.any(proxy);
    }

    /** The console: its files, and the two JSON/SSE endpoints its page reads (before the proxy's catch-all). */
    static void consoleRouting(HttpRouting.Builder routing, ConsoleStats stats, ConsoleEvents events) {
        routing.get(CONSOLE_STATS, stats);
        routing.get(CONSOLE_EVENTS, new ConsoleEventStream(events));
        ConsoleAssets.routing(routing);
    }

    /** The console's live stats (JSON). */
    static final String CONSOLE_STATS = "/console/api/stats";
    /** The console's event stream (Server-Sent Events). */
    static final String CONSOLE_EVENTS = "/console/api/events";

    private void connect(GatewayConfig config) {
        try {
            nats.set(NatsConnections.connect(config.nats(), "metropolis-gateway"));
            discovery.refresh();
            events.start(nats.get());
            jobs.start(nats.get(), proxy.requester());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "the gateway cannot connect to NATS: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connectAttempted.countDown();
        }
    }

    private static HealthCheck natsReadiness(AtomicReference<Connection> nats) {
        return Observability.natsReadiness(() -> {
            Connection connection = nats.get();
            return connection == null ? Connection.Status.DISCONNECTED : connection.getStatus();
        });
    }

    /** The port HTTP listens on (useful with port 0). */
    public int port() {
        return server.port();
    }

    /** The routes known now. */
    public RouteTable routes() {
        return discovery.current();
    }

    /**
     * Refreshes the routes now instead of at the next period (tests, and right after start). Right
     * after start it first waits, up to 5 s, for the NATS connection, which is made in the
     * background: otherwise the round finds no connection and the gateway serves no route yet.
     */
    public void refreshRoutes() {
        try {
            connectAttempted.await(FIRST_CONNECTION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        discovery.refresh();
    }

    /** Stops taking requests, lets in-flight ones finish (up to the grace period), then closes NATS. */
    @Override
    public void close() {
        events.close(); // ends the console's event streams, which would otherwise hold the server's stop for its grace
        server.stop();
        jobs.close();
        discovery.close();
        connector.interrupt();
        Connection connection = nats.get();
        if (connection != null) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
