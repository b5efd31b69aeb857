package dev.metropolis.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Opens NATS connections that reconnect forever and log every change of state. */
public final class NatsConnections {
    private static final Logger LOG = Logger.getLogger(NatsConnections.class.getName());

    private NatsConnections() {}

    /**
     * Connects, waiting (and retrying) until a server answers: a host started before NATS, or
     * during an outage, comes up by itself once NATS is back.
     */
    public static Connection connect(NatsSettings settings, String connectionName) throws IOException, InterruptedException {
        Options options = options(settings, connectionName);
        LOG.log(Level.INFO, "connecting to NATS at {0}", settings.describe());
        return Nats.connectReconnectOnConnect(options);
    }

    /** Connects once, failing fast when no server answers (for short-lived clients such as the CLI). */
    public static Connection connectOnce(NatsSettings settings, String connectionName) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder(options(settings, connectionName)).maxReconnects(0).build());
    }

    static Options options(NatsSettings settings, String connectionName) {
        OutageLog outage = new OutageLog();
        Options.Builder builder = Options.builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName(connectionName)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .reconnectJitter(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(5))
                .reportNoResponders()
                .connectionListener(outage)
                .errorListener(outage);
        if (settings.credentialsFile() != null) {
            builder.authHandler(Nats.credentials(settings.credentialsFile().toString()));
        }
        if (settings.token() != null) {
            builder.token(settings.token().toCharArray());
        }
        if (settings.user() != null) {
            builder.userInfo(settings.user(), settings.password());
        }
        if (settings.truststore() != null) {
            builder.truststorePath(settings.truststore().toString());
            if (settings.truststorePassword() != null) {
                builder.truststorePassword(settings.truststorePassword().toCharArray());
            }
        }
        if (settings.keystore() != null) {
            builder.keystorePath(settings.keystore().toString());
            if (settings.keystorePassword() != null) {
                builder.keystorePassword(settings.keystorePassword().toCharArray());
            }
        }
        return builder.build();
    }

    /**
     * Logs connection state changes, once per outage: while NATS is down the client retries every
     * half second, and each failed attempt would otherwise log a disconnect and an exception.
     */
    private static final class OutageLog implements ConnectionListener, ErrorListener {
        private final AtomicLong downSince = new AtomicLong();

        @Override
        public void connectionEvent(Connection connection, Events event) {
            String server = connection.getConnectedUrl();
            switch (event) {
                case CONNECTED -> LOG.log(Level.INFO, "NATS connected to {0}", server);
                case RECONNECTED -> {
                    long since = downSince.getAndSet(0);
                    long seconds = since == 0 ? 0 : (System.nanoTime() - since) / 1_000_000_000L;
                    LOG.log(Level.INFO, "NATS reconnected to {0} after {1} s", new Object[] {server, String.valueOf(seconds)});
                }
                case RESUBSCRIBED -> LOG.log(Level.INFO, "NATS subscriptions restored");
                case DISCONNECTED -> {
                    if (downSince.compareAndSet(0, System.nanoTime())) {
                        LOG.log(Level.WARNING, "NATS disconnected; reconnecting every 0.5 s until a server answers"
                                + " (replies are buffered meanwhile)");
                    }
                }
                case LAME_DUCK -> LOG.log(Level.WARNING, "NATS server {0} is shutting down (lame duck); moving on", server);
                case CLOSED -> LOG.log(Level.INFO, "NATS connection closed");
                default -> LOG.log(Level.FINE, "NATS event {0}", event);
            }
        }

        @Override
        public void errorOccurred(Connection connection, String error) {
            LOG.log(Level.WARNING, "NATS error: {0}", error);
        }

        @Override
        public void exceptionOccurred(Connection connection, Exception exception) {
            // During an outage every reconnect attempt fails the same way: the disconnect said it already.
            LOG.log(downSince.get() == 0 ? Level.WARNING : Level.FINE, "NATS client exception: {0}", String.valueOf(exception));
        }

        @Override
        public void slowConsumerDetected(Connection connection, Consumer consumer) {
            LOG.log(Level.WARNING, "NATS slow consumer: messages are arriving faster than tasks take them");
        }
    }
}
