package dev.metropolis.host;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.HostEvent;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a host's {@link ScriptEvents} on {@code metropolis.events.<host>} (core NATS, at most
 * once: the gateway's console shows them live, the log keeps them). While there is no connection
 * an event is dropped, at FINE, since the log line about it has already been written.
 */
final class EventPublisher implements ScriptEvents {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());

    private final String host;
    private final String subject;
    private final Supplier<Connection> nats;
    private final Clock clock;

    /** @param nats the host's connection, null while not connected yet */
    EventPublisher(String host, Supplier<Connection> nats, Clock clock) {
        this.host = HostEvent.hostName(host);
        this.subject = HostEvent.subject(host);
        this.nats = Objects.requireNonNull(nats, "nats");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public void served(TaskScript script, boolean reloaded) {
        publish(new HostEvent(reloaded ? HostEvent.Type.RELOADED : HostEvent.Type.SERVED, host, fileName(script.file()),
                script.name(), 0, String.join(", ", script.header().subjects()) + " (" + script.header().trigger().describe()
                        + ", version " + script.header().version() + ")", now()));
    }

    @Override
    public void refused(ScriptProblem problem, boolean previousServes) {
        String file = fileName(problem.file());
        String where = problem.line() > 0 ? file + ":" + problem.line() : file;
        publish(new HostEvent(previousServes ? HostEvent.Type.RELOAD_FAILED : HostEvent.Type.LOAD_ERROR, host, file, null,
                problem.line(), where + ": " + problem.detail(), now()));
    }

    @Override
    public void stopped(Path file, String task, String why) {
        publish(new HostEvent(HostEvent.Type.STOPPED, host, fileName(file), task, 0, why, now()));
    }

    private String now() {
        return clock.instant().toString();
    }

    private static String fileName(Path file) {
        return file.getFileName().toString();
    }

    private void publish(HostEvent event) {
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            LOG.log(Level.FINE, "event not published (not connected to NATS): {0}", event);
            return;
        }
        try {
            connection.publish(subject, event.toJson());
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "event not published ({0}): {1}", new Object[] {e.getMessage(), event});
        }
    }
}
