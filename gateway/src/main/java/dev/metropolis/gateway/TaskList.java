package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskReply;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /tasks}: every route the gateway knows, with its task's language, version and queue,
 * then the tasks run from a stream or a schedule (no route), each with its trigger.
 */
final class TaskList implements Handler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RouteTable> routes;

    TaskList(Supplier<RouteTable> routes) {
        this(routes, () -> EdgePolicy.OPEN);
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        RouteTable table = routes.get();
        List<Map<String, Object>> tasks = new java.util.ArrayList<>(table.routes().stream().map(this::describe).toList());
        table.triggered().stream().map(TaskList::describe).forEach(tasks::add);
        try {
            response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON)
                    .send(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(Map.of("tasks", tasks)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Supplier<EdgePolicy> edge;

    TaskList(Supplier<RouteTable> routes, Supplier<EdgePolicy> edge) {
        this.routes = routes;
        this.edge = edge;
    }

    private Map<String, Object> describe(TaskRoute route) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("task", route.task());
        task.put("route", route.display());
        task.put("subject", route.subject());
        task.put("language", route.language());
        task.put("version", route.version());
        task.put("queue", route.queue());
        task.put("timeout_ms", route.timeout().toMillis());
        task.put("instances", route.instances());
        task.put("description", route.description());
        task.put("trigger", dev.metropolis.task.TaskMetadata.REQUEST_TRIGGER);
        if (route.async()) {
            task.put("async", true); // answered 202 with a job; see Jobs
        }
        if (route.streams()) {
            task.put("stream_timeout_ms", route.streamTimeout().toMillis()); // answered as SSE or NDJSON; see StreamRelay
        }
        if (!route.allow().isEmpty()) {
            task.put("allow", route.allow()); // what the task may do beyond answering
        }
        // What the gateway enforces on this route: the task's own policy or the gateway's default.
        EdgePolicy policies = edge.get();
        task.put("auth", policies.policy(route).describe());
        policies.rate(route).ifPresent(rate -> task.put("rate", rate.toString()));
        return task;
    }

    private static Map<String, Object> describe(RouteTable.TriggeredTask triggered) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("task", triggered.task());
        task.put("subjects", triggered.subjects());
        task.put("language", triggered.language());
        task.put("version", triggered.version());
        task.put("timeout_ms", triggered.timeout().toMillis());
        task.put("instances", triggered.instances());
        task.put("description", triggered.description());
        task.put("trigger", triggered.trigger());
        return task;
    }
}
