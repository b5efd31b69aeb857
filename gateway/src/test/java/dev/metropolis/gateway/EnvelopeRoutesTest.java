package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.nats.ServiceDiscovery.EndpointInfo;
import dev.metropolis.nats.ServiceDiscovery.ServiceInfo;
import dev.metropolis.task.TaskMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The original Metropolis HTTP mapping for tasks announced with {@code metropolis.wire = envelope}:
 * {@code foo.get} also at {@code GET /foo}, every subject at its usual path, native tasks unchanged;
 * and the envelope's code and data as status and body.
 */
class EnvelopeRoutesTest {

    private static ServiceInfo service(String task, boolean envelope, String... subjects) {
        Map<String, String> metadata = new HashMap<>(new TaskMetadata(task, "python", task + ".py", List.of(subjects),
                "worker", "0.0.0", Duration.ofSeconds(10), 4, null).toMap());
        if (envelope) {
            metadata.put(TaskMetadata.WIRE, TaskMetadata.ENVELOPE_WIRE);
        }
        List<EndpointInfo> endpoints = java.util.Arrays.stream(subjects)
                .map(subject -> new EndpointInfo(subject.replace('.', '_'), subject, "worker", Map.of())).toList();
        return new ServiceInfo("io.nats.micro.v1.info_response", task, "id", "0.0.0", "", metadata, endpoints);
    }

    private static RouteTable.Lookup find(RouteTable table, String method, String path) {
        return table.find(method, RouteTable.segments(path));
    }

    @Test
    void aSubjectEndingInAMethodIsServedAtTheOriginalsRouteAndAtItsUsualPath() {
        RouteTable table = RouteTable.fromDiscovery(List.of(service("worker", true, "foo.get", "users.list.post", "foo.bar")));

        assertThat(table.routes()).extracting(TaskRoute::display).containsExactlyInAnyOrder(
                "* /foo/get", "GET /foo", "* /users/list/post", "POST /users/list", "* /foo/bar");
        assertThat(table.routes()).allMatch(TaskRoute::envelope);
        assertThat(find(table, "GET", "/foo").match().orElseThrow().subject()).isEqualTo("foo.get");
        assertThat(find(table, "GET", "/foo/get").match().orElseThrow().subject()).isEqualTo("foo.get");
        assertThat(find(table, "POST", "/users/list").match().orElseThrow().subject()).isEqualTo("users.list.post");
        assertThat(find(table, "GET", "/foo/bar").match().orElseThrow().subject()).isEqualTo("foo.bar");
        assertThat(find(table, "POST", "/foo").allowedMethods()).containsExactly("GET");
    }

    @Test
    void theWorkerParameterNamesOneMoreSubjectToken() {
        RouteTable table = RouteTable.fromDiscovery(List.of(service("worker", true, "foo.get", "foo.get.w2"),
                service("native", false, "native.get")));

        assertThat(table.find("GET", "/foo", "w2").match().orElseThrow().subject()).isEqualTo("foo.get.w2");
        assertThat(table.find("GET", "/foo", null).match().orElseThrow().subject()).isEqualTo("foo.get");
        RouteTable.Lookup unserved = table.find("GET", "/foo", "w9");
        assertThat(unserved.match()).isEmpty();
        assertThat(unserved.unservedSubject()).isEqualTo("foo.get.w9");
        assertThat(table.find("GET", "/foo", "a.b").unservedSubject()).isEqualTo("foo.get.a.b");
        // A native task's query parameter of that name is only a parameter.
        assertThat(table.find("GET", "/native/get", "w2").match().orElseThrow().subject()).isEqualTo("native.get");
    }

    @Test
    void nativeTasksKeepTheirRoutes() {
        RouteTable table = RouteTable.fromDiscovery(List.of(service("native", false, "foo.get")));

        assertThat(table.routes()).extracting(TaskRoute::display).containsExactly("* /foo/get");
        assertThat(table.routes()).noneMatch(TaskRoute::envelope);
        assertThat(find(table, "GET", "/foo").match()).isEmpty();
    }

    @Test
    void wildcardSubjectsGetNoMethodRoute() {
        RouteTable table = RouteTable.fromDiscovery(List.of(service("worker", true, "files.*.get", "get")));

        assertThat(table.routes()).extracting(TaskRoute::display).containsExactlyInAnyOrder("* /files/{token}/get", "* /get");
    }

    @Test
    void theQueryGoesAsListsAndTheEnvelopeBecomesStatusAndBody() {
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("data", List.of("hello"));
        query.put("tag", List.of("a", "b"));

        assertThat(new String(Envelope.query(query), StandardCharsets.UTF_8)).isEqualTo("{\"data\":[\"hello\"],\"tag\":[\"a\",\"b\"]}");
        assertThat(new String(Envelope.query(Map.of()), StandardCharsets.UTF_8)).isEqualTo("{}");
        Envelope.Unwrapped ok = Envelope.unwrap("{\"code\": 200, \"data\": \"olleh\"}".getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(ok.status()).isEqualTo(200);
        assertThat(new String(ok.body(), StandardCharsets.UTF_8)).isEqualTo("\"olleh\"");
        Envelope.Unwrapped failed = Envelope.unwrap("{\"code\": 500, \"data\": \"boom\"}".getBytes(StandardCharsets.UTF_8))
                .orElseThrow();
        assertThat(failed.status()).isEqualTo(500);
        assertThat(Envelope.unwrap("cba".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Envelope.unwrap("{\"code\": 99, \"data\": 1}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Envelope.unwrap("{\"code\": \"200\", \"data\": 1}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Envelope.unwrap("{\"data\": 1}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}
