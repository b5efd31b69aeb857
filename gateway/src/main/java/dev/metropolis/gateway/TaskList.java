package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.nats.ServiceDiscovery;
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
public final class TaskList implements Handler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RouteTable> routes;

    TaskList(Supplier<RouteTable> routes) {
        this(routes, () -> EdgePolicy.OPEN);
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        List<Map<String, Object>> tasks = entries(routes.get(), edge.get());
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

    /**
     * What {@code GET /tasks} lists for these discovery answers, as {@code metropolis ls} shows it: with
     * no gateway to ask, each route's {@code auth} is its task's own policy, or "gateway default".
     */
    public static List<Map<String, Object>> fromDiscovery(List<ServiceDiscovery.ServiceInfo> services) {
        return entries(RouteTable.fromDiscovery(services), null);
    }

    /** Every route, then every stream or scheduled task; {@code edge} null when no gateway's policy is known. */
    private static List<Map<String, Object>> entries(RouteTable table, EdgePolicy edge) {
        List<Map<String, Object>> tasks = new java.util.ArrayList<>(table.routes().stream()
                .map(route -> describe(route, edge)).toList());
        table.triggered().stream().map(TaskList::describe).forEach(tasks::add);
        return tasks;
    }

    private static Map<String, Object> describe(TaskRoute route, EdgePolicy edge) {
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
        if (route.envelope()) {
            task.put("wire", dev.metropolis.task.TaskMetadata.ENVELOPE_WIRE); // the original Metropolis wire form
        }
        if (route.async()) {
            task.put("async", true); // answered 202 with a job; see Jobs
        }
        // The console's "try it" form reads these two: JSON Schema objects, null when the task declares none.
        task.put("input", route.schemas().input());
        task.put("output", route.schemas().output());
        if (route.streams()) {
            task.put("stream_timeout_ms", route.streamTimeout().toMillis()); // answered as SSE or NDJSON; see StreamRelay
        }
        if (!route.allow().isEmpty()) {
            task.put("allow", route.allow()); // what the task may do beyond answering
        }
        // What the gateway enforces on this route: the task's own policy or the gateway's default.
        if (edge == null) {
            task.put("auth", route.auth() == null ? "gateway default" : route.auth().describe());
            if (route.rate() != null) {
                task.put("rate", route.rate().toString());
            }
            return task;
        }
        task.put("auth", edge.policy(route).describe());
        edge.rate(route).ifPresent(rate -> task.put("rate", rate.toString()));
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
