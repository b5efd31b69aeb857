package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Rate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP route to a task, as learned from NATS service discovery.
 *
 * @param task        the task's name
 * @param language    "python" or "js"
 * @param version     the script's version
 * @param description the script's description, may be empty
 * @param queue       the NATS queue group serving it
 * @param subject     the subject served (may hold wildcards for a default route)
 * @param method      the only HTTP method accepted, or null for any
 * @param pattern     path segments; "*" matches one segment, ">" the rest (default routes only)
 * @param custom      true when the script declared the route with {@code http = "..."}
 * @param timeout     the task's own timeout
 * @param instances   how many hosts answered discovery for this route
 * @param allow       what the task is granted beyond answering, by {@code [allow]} key
 * @param auth        the task's own access policy ({@code auth} in its header), or null for the gateway's default
 * @param rate        the task's own rate limit ({@code rate} in its header), or null for the gateway's
 * @param async       whether requests run as jobs by default (the script's {@code async = true})
 * @param envelope    whether the task speaks the original Metropolis wire form ({@code metropolis.wire =
 *                    envelope}): query arguments as lists, its {@code {"code", "data"}} reply unwrapped
 * @param schemas     the input and output JSON Schemas announced on the route's endpoint
 * @param streamTimeout for a task whose function is a generator (its reply is a stream of chunks), the
 *                    longest its whole stream may take; null for a task that replies once
 */
public record TaskRoute(String task, String language, String version, String description, String queue,
        String subject, String method, List<String> pattern, boolean custom, Duration timeout, int instances,
        Map<String, List<String>> allow, AccessPolicy auth, Rate rate, boolean async, boolean envelope,
        RouteSchemas schemas, Duration streamTimeout) {

    public TaskRoute {
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(subject, "subject");
        pattern = List.copyOf(pattern);
        Objects.requireNonNull(timeout, "timeout");
        allow = Map.copyOf(allow);
    }

    /** A route to a native task (today's wire form) that replies once, without schemas. */
    public TaskRoute(String task, String language, String version, String description, String queue, String subject,
            String method, List<String> pattern, boolean custom, Duration timeout, int instances,
            Map<String, List<String>> allow, AccessPolicy auth, Rate rate, boolean async) {
        this(task, language, version, description, queue, subject, method, pattern, custom, timeout, instances, allow,
                auth, rate, async, false, RouteSchemas.NONE, null);
    }

    /** Whether the task streams its reply (its function is a generator). */
    public boolean streams() {
        return streamTimeout != null;
    }

    /** A route without a policy of its own (the gateway's defaults apply), answered when the task has replied. */
    public TaskRoute(String task, String language, String version, String description, String queue, String subject,
            String method, List<String> pattern, boolean custom, Duration timeout, int instances,
            Map<String, List<String>> allow) {
        this(task, language, version, description, queue, subject, method, pattern, custom, timeout, instances, allow,
                false);
    }

    /** A route without a policy of its own; {@code async} as the script declares. */
    public TaskRoute(String task, String language, String version, String description, String queue, String subject,
            String method, List<String> pattern, boolean custom, Duration timeout, int instances,
            Map<String, List<String>> allow, boolean async) {
        this(task, language, version, description, queue, subject, method, pattern, custom, timeout, instances, allow,
                null, null, async);
    }

    /** A route to a task granted nothing beyond answering. */
    public TaskRoute(String task, String language, String version, String description, String queue, String subject,
            String method, List<String> pattern, boolean custom, Duration timeout, int instances) {
        this(task, language, version, description, queue, subject, method, pattern, custom, timeout, instances, Map.of());
    }

    /** The route as people write it: "POST /reverse" or "* /text/reverse". */
    public String display() {
        StringBuilder path = new StringBuilder();
        for (String segment : pattern) {
            path.append('/').append(switch (segment) {
                case "*" -> "{token}";
                case ">" -> "{rest...}";
                default -> segment;
            });
        }
        return (method == null ? "*" : method) + " " + (path.isEmpty() ? "/" : path);
    }

    /** The same route with another instance count. */
    TaskRoute withInstances(int count) {
        return new TaskRoute(task, language, version, description, queue, subject, method, pattern, custom, timeout, count,
                allow, auth, rate, async, envelope, schemas, streamTimeout);
    }

    /** The same route with the policy its host announced. */
    TaskRoute withPolicy(AccessPolicy auth, Rate rate) {
        return new TaskRoute(task, language, version, description, queue, subject, method, pattern, custom, timeout,
                instances, allow, auth, rate, async, envelope, schemas, streamTimeout);
    }

    /** The same route to a task in the original Metropolis wire form. */
    TaskRoute inEnvelope() {
        return new TaskRoute(task, language, version, description, queue, subject, method, pattern, custom, timeout,
                instances, allow, auth, rate, async, true, schemas, streamTimeout);
    }

    /** The same route with the schemas its endpoint announced. */
    TaskRoute withSchemas(RouteSchemas announced) {
        return new TaskRoute(task, language, version, description, queue, subject, method, pattern, custom, timeout,
                instances, allow, auth, rate, async, envelope, announced, streamTimeout);
    }

    /** The same route to a task that streams for at most {@code streamTimeout} (null: it replies once). */
    TaskRoute withStreamTimeout(Duration streamTimeout) {
        return new TaskRoute(task, language, version, description, queue, subject, method, pattern, custom, timeout,
                instances, allow, auth, rate, async, envelope, schemas, streamTimeout);
    }

    /** Identity of a route regardless of how many hosts serve it. */
    String key() {
        return task + " " + subject + " " + display();
    }
}
