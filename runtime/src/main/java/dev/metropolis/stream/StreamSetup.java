package dev.metropolis.stream;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.script.Trigger;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes sure the streams and the durable consumer a stream-triggered task needs exist, creating
 * missing streams or refusing as the host's {@link MissingStreams} says. Refusals are load
 * errors at the header's first line, like any other reason a script cannot be served.
 */
final class StreamSetup {
    private static final Logger LOG = Logger.getLogger(StreamSetup.class.getName());
    /** The stream of every schedule's ticks: kept an hour, de-duplicated over two minutes (the hosts' clock skew allowed). */
    static final String TICKS_STREAM = "METROPOLIS_TICKS";
    static final String TICKS_PREFIX = "metropolis.tick.";
    static final Duration TICKS_DUPLICATE_WINDOW = Duration.ofMinutes(2);

    private StreamSetup() {}

    /** Where a task's messages come from: stream, consumer name and filter subject. */
    record Source(String stream, String durable, String subject, Trigger.Retry retry, boolean onlyNew) {}

    /** The source of a stream- or schedule-triggered script. */
    static Source sourceOf(TaskScript script) {
        return switch (script.header().trigger()) {
            case Trigger.Stream stream -> new Source(stream.stream(), stream.durable().isEmpty() ? safeName(script.name())
                    : stream.durable(), script.header().subjects().getFirst(), stream.retry(), false);
            // New ticks only: ticks of a schedule that had no consumer yet are not run late.
            case Trigger.Schedule schedule -> new Source(TICKS_STREAM, "tick_" + safeName(script.name()),
                    TICKS_PREFIX + safeName(script.name()), schedule.retry(), true);
            case Trigger.Request request -> throw new IllegalArgumentException(script.name() + " answers requests");
        };
    }

    /** A task name as a JetStream name or subject token: letters, digits, '-' and '_'. */
    static String safeName(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** Ensures the streams and the consumer; returns the consumer's ack_wait. */
    static void ensure(JetStreamManagement jsm, TaskScript script, Source source, MissingStreams missing) throws ScriptProblem {
        try {
            if (source.stream().equals(TICKS_STREAM)) {
                ensureStream(jsm, StreamConfiguration.builder().name(TICKS_STREAM).subjects(TICKS_PREFIX + ">")
                        .storageType(StorageType.File).maxAge(Duration.ofHours(1)).duplicateWindow(TICKS_DUPLICATE_WINDOW)
                        .build());
            } else {
                ensureStream(jsm, script, source.stream(), source.subject(), RetentionPolicy.WorkQueue, missing);
            }
            String deadLetter = source.retry().deadLetter();
            if (!deadLetter.isEmpty() && jsm.getStreamNames(deadLetter).isEmpty()) {
                ensureStream(jsm, script, source.stream() + "_DEAD", deadLetter, RetentionPolicy.Limits, missing);
            }
            Duration ackWait = AckTiming.ackWait(script.header().timeout());
            jsm.addOrUpdateConsumer(source.stream(), ConsumerConfiguration.builder().durable(source.durable())
                    .filterSubject(source.subject()).ackPolicy(AckPolicy.Explicit).ackWait(ackWait)
                    .deliverPolicy(source.onlyNew() ? DeliverPolicy.New : DeliverPolicy.All)
                    .maxDeliver(-1) // counted by the host: see Settlement
                    .build());
        } catch (JetStreamApiException e) {
            throw new ScriptProblem(script.file(), 1, "stream '" + source.stream() + "', consumer '" + source.durable()
                    + "': JetStream refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ScriptProblem(script.file(), 1, "stream '" + source.stream() + "': JetStream did not answer: " + e
                    + " (is JetStream enabled on the server? nats-server -js)", e);
        }
    }

    private static void ensureStream(JetStreamManagement jsm, TaskScript script, String stream, String subject,
            RetentionPolicy retention, MissingStreams missing) throws IOException, JetStreamApiException, ScriptProblem {
        if (exists(jsm, stream)) {
            return;
        }
        if (missing == MissingStreams.REFUSE) {
            throw new ScriptProblem(script.file(), 1, "stream '" + stream + "' (for subject '" + subject + "') does not exist"
                    + " and this host does not create streams (--missing-streams refuse); create it, or start the host"
                    + " with --missing-streams create");
        }
        ensureStream(jsm, StreamConfiguration.builder().name(stream).subjects(List.of(subject)).retentionPolicy(retention)
                .storageType(StorageType.File).replicas(1).build());
        LOG.log(Level.INFO, "created stream {0} for {1} ({2} retention, file storage)",
                new Object[] {stream, subject, retention});
    }

    private static void ensureStream(JetStreamManagement jsm, StreamConfiguration config) throws IOException, JetStreamApiException {
        if (exists(jsm, config.getName())) {
            return;
        }
        try {
            jsm.addStream(config);
        } catch (JetStreamApiException e) {
            if (!exists(jsm, config.getName())) { // another host created it first: fine
                throw e;
            }
        }
    }

    private static boolean exists(JetStreamManagement jsm, String stream) throws IOException, JetStreamApiException {
        try {
            jsm.getStreamInfo(stream);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
