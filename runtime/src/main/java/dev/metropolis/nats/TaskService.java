package dev.metropolis.nats;

import dev.metropolis.runner.TaskRunner;
import dev.metropolis.script.ScriptHeader;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One script published as a NATS micro service: an endpoint per subject in the script's queue
 * group, visible to {@code $SRV.PING/INFO/STATS} with its language and version in the metadata.
 */
public final class TaskService {
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

    private final Connection connection;
    private final Service service;
    /** Replaced by a reload that keeps the subjects: the subscription stays, new messages go to the new version. */
    private volatile TaskRunner runner;

    private TaskService(Connection connection, TaskRunner runner, Duration drainTimeout) {
        this.connection = connection;
        this.runner = runner;
        this.service = build(drainTimeout);
    }

    /** Registers the script's endpoints and starts answering. */
    public static TaskService start(Connection connection, TaskRunner runner, Duration drainTimeout) {
        TaskService taskService = new TaskService(connection, runner, drainTimeout);
        taskService.service.startService();
        return taskService;
    }

    private Service build(Duration drainTimeout) {
        TaskScript script = runner.script();
        ScriptHeader header = script.header();
        var builder = Service.builder()
                .connection(connection)
                .name(serviceName(script.name()))
                .version(header.version())
                .description(header.description().isEmpty() ? "Metropolis task " + script.file().getFileName() : header.description())
                .metadata(metadata(script))
                .drainTimeout(drainTimeout);
        Set<String> names = new HashSet<>();
        for (String subject : header.subjects()) {
            builder.addServiceEndpoint(ServiceEndpoint.builder()
                    .endpointName(uniqueName(endpointName(subject), names))
                    .endpointSubject(subject)
                    .endpointQueueGroup(header.queue())
                    .endpointMetadata(Map.of("subject", subject))
                    .handler(this::onMessage)
                    .build());
        }
        return builder.build();
    }

    static Map<String, String> metadata(TaskScript script) {
        ScriptHeader header = script.header();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("metropolis.task", script.name());
        metadata.put("metropolis.language", script.language().id());
        metadata.put("metropolis.file", script.file().getFileName().toString());
        metadata.put("metropolis.subjects", String.join(",", header.subjects()));
        metadata.put("metropolis.queue", header.queue());
        metadata.put("metropolis.version", header.version());
        metadata.put("metropolis.timeout_ms", Long.toString(header.timeout().toMillis()));
        metadata.put("metropolis.concurrency", Integer.toString(header.concurrency()));
        if (!header.http().isEmpty()) {
            metadata.put("metropolis.http", header.http());
        }

        return metadata;
    }

    private void onMessage(ServiceMessage message) {
        TaskRequest request = new TaskRequest(message.getSubject(), message.getReplyTo(), headersOf(message), message.getData());
        TaskRunner current = runner;
        current.submit(request).whenComplete((reply, error) -> respond(message, current, request, reply, error));
    }

    private void respond(ServiceMessage message, TaskRunner runner, TaskRequest request, TaskReply reply, Throwable error) {
        TaskError taskError = error == null ? null : asTaskError(error);
        if (request.replyTo() == null) {
            if (taskError != null) {
                LOG.log(Level.WARNING, "task ''{0}'' failed on fire-and-forget message ''{1}'': {2}",
                        new Object[] {runner.script().name(), request.subject(), taskError.getMessage()});
            }
            return;
        }
        try {
            if (taskError == null) {
                message.respond(connection, reply.body(), Replies.headers(reply));
            } else {
                message.respond(connection, Replies.errorBody(taskError, runner.script().name(), request.subject()),
                        Replies.errorHeaders(taskError));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not send the reply for task ''{0}'' on ''{1}'': {2}",
                    new Object[] {runner.script().name(), request.subject(), e.toString()});
        }
    }

    private static TaskError asTaskError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TaskError taskError
                ? taskError
                : TaskError.of(ErrorKind.CRASHED, "internal error: " + cause);
    }

    private static Map<String, List<String>> headersOf(ServiceMessage message) {
        if (!message.hasHeaders()) {
            return Map.of();
        }
        Headers headers = message.getHeaders();
        Map<String, List<String>> copy = new LinkedHashMap<>();
        for (String key : headers.keySet()) {
            copy.put(key, headers.get(key));
        }
        return copy;
    }

    /**
     * Stops answering: the service leaves discovery; with {@code drain}, messages already delivered
     * to its subscriptions are still handled (up to the drain timeout).
     */
    public void stop(boolean drain) {
        service.stop(drain);
    }

    public TaskRunner runner() {
        return runner;
    }

    /**
     * Hands new messages to {@code next} (a new version of the same script) and returns the
     * runner that served until now; the caller drains and closes it.
     */
    public TaskRunner swap(TaskRunner next) {
        TaskRunner previous = runner;
        runner = next;
        return previous;
    }

    /** True when a new version can take over this service in place: same subjects, queue and metadata. */
    public boolean canServe(TaskScript next) {
        TaskScript current = runner.script();
        return current.file().equals(next.file()) && metadata(current).equals(metadata(next))
                && current.header().description().equals(next.header().description());
    }

    /** Service names allow letters, digits, '-' and '_' only. */
    static String serviceName(String taskName) {
        String name = taskName.replaceAll("[^A-Za-z0-9_-]", "_");
        return name.isEmpty() ? "task" : name;
    }

    /** Endpoint names follow the same rule; wildcards get words so "orders.*" stays readable. */
    static String endpointName(String subject) {
        return subject.replace("*", "any").replace(">", "all").replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String uniqueName(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + "_" + i;
        }
        return candidate;
    }
}
