package dev.metropolis.gateway;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Stores a request as a job: publishes it into the jobs stream, then records it as queued. With an
 * idempotency key the message id is derived from the key (and the subject), so JetStream keeps
 * one message per key within its duplicate window and a repeated submission gets the first job.
 */
final class JobSubmitter {
    static final String JOB_ID = "Metropolis-Job-Id";
    static final String JOB_SUBJECT = "Metropolis-Job-Subject";
    static final String JOB_TASK = "Metropolis-Job-Task";
    static final String JOB_CREATED = "Metropolis-Job-Created";
    static final String JOB_CALLBACK = "Metropolis-Job-Callback-Url";

    /** A stored job, and whether it was stored before (a repeated idempotency key). */
    record Submitted(Job job, boolean replayed) {}

    private final Connection connection;
    private final JobStore store;
    private final Clock clock;

    JobSubmitter(Connection connection, JobStore store, Clock clock) {
        this.connection = connection;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Stores the request for {@code match}; returns once JetStream has it.
     *
     * @param headers the NATS headers the task will get (method, path, request id, trace context, ...)
     * @param idempotencyKey the caller's key, or null
     * @param callbackUrl where to POST the result, or null; only http and https are accepted
     */
    Submitted submit(String task, String subject, Headers headers, byte[] body, String idempotencyKey, String callbackUrl) {
        checkCallback(callbackUrl);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw TaskError.of(ErrorKind.BAD_PAYLOAD, "Idempotency-Key must be 1 to 255 characters");
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        Instant created = clock.instant();
        headers.put(JOB_ID, id);
        headers.put(JOB_SUBJECT, subject);
        headers.put(JOB_TASK, task);
        headers.put(JOB_CREATED, created.toString());
        if (callbackUrl != null) {
            headers.put(JOB_CALLBACK, callbackUrl);
        }
        headers.put(WireHeaders.MSG_ID, idempotencyKey == null ? id : "idem " + subject + " " + idempotencyKey);
        try {
            PublishAck ack = connection.jetStream().publish(JobStore.SUBJECT_PREFIX + subject, headers, body);
            if (ack.isDuplicate()) {
                return new Submitted(firstJob(ack.getSeqno()), true);
            }
        } catch (IOException | JetStreamApiException e) {
            throw TaskError.of(ErrorKind.UNAVAILABLE, "the job could not be stored in JetStream (" + e.getMessage()
                    + "); retry shortly");
        }
        Job job = Job.queued(id, task, subject, created, callbackUrl);
        store.putIfAbsent(job);
        return new Submitted(job, false);
    }

    /** The job stored first under a repeated idempotency key, found through its message in the stream. */
    private Job firstJob(long sequence) throws IOException, JetStreamApiException {
        MessageInfo first = connection.jetStreamManagement().getMessage(JobStore.STREAM, sequence);
        Headers headers = first.getHeaders();
        String id = headers.getFirst(JOB_ID);
        return store.get(id).orElseGet(() -> Job.queued(id, headers.getFirst(JOB_TASK), headers.getFirst(JOB_SUBJECT),
                Instant.parse(headers.getFirst(JOB_CREATED)), headers.getFirst(JOB_CALLBACK)));
    }

    /** The callback URL is the caller's own: checked for its scheme only (http or https). */
    static void checkCallback(String url) {
        if (url == null) {
            return;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw TaskError.of(ErrorKind.BAD_PAYLOAD, "X-Callback-Url must be an absolute http:// or https:// URL, got '"
                + url + "'");
    }
}
