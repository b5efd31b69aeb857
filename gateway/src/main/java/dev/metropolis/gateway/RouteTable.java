package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Rate;

import dev.metropolis.nats.ServiceDiscovery.EndpointInfo;
import dev.metropolis.nats.ServiceDiscovery.ServiceInfo;
import dev.metropolis.task.HttpRoute;
import dev.metropolis.task.TaskMetadata;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP routes of every task currently announced on NATS. Immutable: discovery builds a new
 * table and swaps it in. A default route is the subject with dots as slashes
 * ({@code text.reverse} -> {@code /text/reverse}, any method); a script's {@code http} header key
 * replaces it with its own.
 */
public final class RouteTable {
    private final List<TaskRoute> routes;
    private final List<TriggeredTask> triggered;

    RouteTable(List<TaskRoute> routes, List<TriggeredTask> triggered) {
        this.routes = routes.stream()
                .sorted(Comparator.comparing(TaskRoute::task).thenComparing(TaskRoute::subject))
                .toList();
        this.triggered = triggered.stream().sorted(Comparator.comparing(TriggeredTask::task)).toList();
    }

    RouteTable(List<TaskRoute> routes) {
        this(routes, List.of());
    }

    static RouteTable empty() {
        return new RouteTable(List.of());
    }

    /**
     * A task run from a stream or a schedule: announced, but without endpoints, so it has no
     * route; listed by {@code GET /tasks} with its trigger.
     *
     * @param trigger the announced {@code metropolis.trigger}, e.g. "stream ORDERS durable billing max_deliver 5"
     */
    record TriggeredTask(String task, String language, String version, String description, List<String> subjects,
            String trigger, Duration timeout, int instances) {
        TriggeredTask withInstances(int count) {
            return new TriggeredTask(task, language, version, description, subjects, trigger, timeout, count);
        }

        String key() {
            return task + " " + trigger;
        }
    }

    /** Builds the table from $SRV.INFO responses; services that are not Metropolis tasks are ignored. */
    static RouteTable fromDiscovery(List<ServiceInfo> infos) {
        Map<String, TaskRoute> byKey = new LinkedHashMap<>();
        Map<String, TriggeredTask> triggered = new LinkedHashMap<>();
        for (ServiceInfo info : infos) {
            if (!TaskMetadata.isTask(info.metadata())) {
                continue;
            }
            TaskMetadata task = TaskMetadata.fromMap(info.metadata());
            if (!task.answersRequests()) {
                TriggeredTask listed = new TriggeredTask(task.task(), task.language(), info.version(), info.description(),
                        task.subjects(), task.trigger(), task.timeout(), 1);
                triggered.merge(listed.key(), listed, (known, again) -> known.withInstances(known.instances() + 1));
                continue;
            }
            AccessPolicy auth = AccessPolicy.announced(info.metadata().get(TaskMetadata.AUTH));
            Rate rate = Rate.announced(info.metadata().get(TaskMetadata.RATE));
            for (TaskRoute route : routesOf(info)) {
                route = route.withPolicy(auth, rate).withStreamTimeout(task.streamTimeout());
                byKey.merge(route.key(), route, (known, again) -> known.withInstances(known.instances() + 1));
            }
        }
        return new RouteTable(new ArrayList<>(byKey.values()), new ArrayList<>(triggered.values()));
    }

    private static List<TaskRoute> routesOf(ServiceInfo info) {
        TaskMetadata task = TaskMetadata.fromMap(info.metadata());
        List<EndpointInfo> endpoints = info.endpoints().stream().filter(endpoint -> endpoint.subject() != null).toList();
        List<TaskRoute> result = new ArrayList<>();
        if (task.http() != null && !endpoints.isEmpty()) {
            result.add(new TaskRoute(task.task(), task.language(), info.version(), info.description(), task.queue(),
                    endpoints.getFirst().subject(), task.http().method(), task.http().segments(), true, task.timeout(), 1,
                    task.allow(), task.async()).withSchemas(RouteSchemas.of(endpoints.getFirst().metadata())));
            endpoints = endpoints.subList(1, endpoints.size());
        }
        for (EndpointInfo endpoint : endpoints) {
            String subject = endpoint.subject();
            result.add(new TaskRoute(task.task(), task.language(), info.version(), info.description(),
                    endpoint.queueGroup(), subject, null, Arrays.asList(subject.split("\\.")), false, task.timeout(), 1,
                    task.allow(), task.async()).withSchemas(RouteSchemas.of(endpoint.metadata())));
        }
        if (!TaskMetadata.isEnvelope(info.metadata())) {
            return result;
        }
        List<TaskRoute> envelope = new ArrayList<>(result.stream().map(TaskRoute::inEnvelope).toList());
        for (TaskRoute route : result) {
            methodRoute(route).ifPresent(envelope::add);
        }
        return envelope;
    }

    /** HTTP methods the original Metropolis gateway read from a subject's last token ({@code foo.get}: GET /foo). */
    private static final List<String> METHOD_TOKENS = List.of("get", "post", "put", "patch", "delete");

    /**
     * The original gateway's route to a task whose subject ends in a method token: {@code users.list.post}
     * at {@code POST /users/list}, sent on the subject itself.
     */
    private static Optional<TaskRoute> methodRoute(TaskRoute route) {
        List<String> tokens = Arrays.asList(route.subject().split("\\."));
        String last = tokens.getLast();
        if (tokens.size() < 2 || !METHOD_TOKENS.contains(last) || route.custom()
                || tokens.stream().anyMatch(token -> token.equals("*") || token.equals(">"))) {
            return Optional.empty();
        }
        return Optional.of(new TaskRoute(route.task(), route.language(), route.version(), route.description(),
                route.queue(), route.subject(), last.toUpperCase(java.util.Locale.ROOT), tokens.subList(0, tokens.size() - 1),
                true, route.timeout(), 1, route.allow(), route.auth(), route.rate(), route.async(), true, route.schemas(),
                route.streamTimeout()));
    }

    /** The non-empty segments of a URL path: "/text/reverse" -> [text, reverse]. */
    static List<String> segments(String path) {
        return HttpRoute.segments(path);
    }

    /** Whether a path segment can be a NATS subject token: no whitespace, '.', '*' or '>'. */
    private static boolean isSubjectToken(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '.' || c == '*' || c == '>' || Character.isWhitespace(c)) {
                return false;
            }
        }
        return !segment.isEmpty();
    }

    public List<TaskRoute> routes() {
        return routes;
    }

    /** The tasks run from a stream or a schedule, which have no route. */
    List<TriggeredTask> triggered() {
        return triggered;
    }

    /**
     * The route serving a concrete subject (a job submitted over NATS names the subject, not a
     * path): the most specific default route whose subject matches, or a custom route's plain subject.
     */
    Optional<Match> forSubject(String subject) {
        return routes.stream().filter(route -> dev.metropolis.nats.Subjects.matches(route.subject(), subject))
                .max(Comparator.comparingInt(route -> route.subject().equals(subject) ? 1 : 0))
                .map(route -> new Match(route, subject));
    }

    /** What a request resolved to: the route and the concrete subject to send it on. */
    record Match(TaskRoute route, String subject) {}

    /**
     * The outcome of a lookup: a match, or the methods the path would accept (empty when none); for a
     * {@code _worker} nobody serves, the subject it named.
     */
    record Lookup(Optional<Match> match, List<String> allowedMethods, String unservedSubject) {
        Lookup(Optional<Match> match, List<String> allowedMethods) {
            this(match, allowedMethods, null);
        }
    }

    /**
     * The original gateway's query parameter naming one more subject token: {@code GET /foo?_worker=w1}
     * is a request on {@code foo.get.w1}. Read for tasks in the original wire form only; it is not passed
     * on to them as an argument.
     */
    static final String WORKER_PARAMETER = "_worker";

    /** The lookup for an HTTP request: its method, its path and its {@link #WORKER_PARAMETER}, if any. */
    static Lookup lookup(RouteTable table, ServerRequest request) {
        return table.find(request.prologue().method().text(), request.path().path(),
                request.query().first(WORKER_PARAMETER).orElse(null));
    }

    /**
     * Finds the route for a request whose query may carry {@link #WORKER_PARAMETER}: with one, the
     * task in the original wire form on {@code <path tokens>.<method>.<worker>}; a {@code _worker}
     * that no such task serves is not found when the path itself leads to such a task (the original
     * sent it to a subject nobody served), and is an ordinary query parameter of a native task.
     */
    Lookup find(String method, String path, String worker) {
        List<String> segments = segments(path);
        if (worker == null) {
            return find(method, segments);
        }
        List<String> qualified = new ArrayList<>(segments);
        qualified.add(method.toLowerCase(java.util.Locale.ROOT));
        qualified.add(worker);
        if (isSubjectToken(worker)) {
            Lookup named = find(method, qualified);
            if (named.match().filter(match -> match.route().envelope() && !match.route().custom()).isPresent()) {
                return named;
            }
        }
        Lookup plain = find(method, segments);
        if (plain.match().filter(match -> match.route().envelope()).isPresent()) {
            return new Lookup(Optional.empty(), List.of(), String.join(".", qualified));
        }
        return plain;
    }

    /**
     * Finds the route for a request. Literal segments win over {@code *}, which wins over
     * {@code >}; a path whose segments are not valid subject tokens matches only custom routes.
     */
    Lookup find(String method, List<String> path) {
        TaskRoute best = null;
        int bestScore = -1;
        List<String> allowed = new ArrayList<>();
        boolean subjectTokens = true;
        for (String segment : path) {
            subjectTokens &= isSubjectToken(segment);
        }
        for (TaskRoute route : routes) {
            int score = route.custom() || subjectTokens ? score(route, path) : -1;
            if (score < 0) {
                continue;
            }
            if (route.method() != null && !route.method().equals(method)) {
                allowed.add(route.method());
                continue;
            }
            if (score > bestScore) {
                bestScore = score;
                best = route;
            }
        }
        if (best == null) {
            return new Lookup(Optional.empty(), List.copyOf(allowed));
        }
        return new Lookup(Optional.of(new Match(best, best.custom() ? best.subject() : String.join(".", path))), List.of());
    }

    /** How specifically a route matches a path: literal segments count most; -1 for no match. */
    private static int score(TaskRoute route, List<String> path) {
        List<String> pattern = route.pattern();
        int score = 0;
        for (int i = 0; i < pattern.size(); i++) {
            String expected = pattern.get(i);
            if (expected.equals(">") && !route.custom()) {
                return path.size() > i ? score : -1;
            }
            if (i >= path.size()) {
                return -1;
            }
            if (expected.equals("*") && !route.custom()) {
                score += 1;
            } else if (expected.equals(path.get(i))) {
                score += 1_000;
            } else {
                return -1;
            }
        }
        return path.size() == pattern.size() ? score : -1;
    }
}
