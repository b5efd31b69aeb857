package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RouteTable.find: which route a method and path resolve to, and the subject they are sent on. */
class RouteTableTest {
    /** A default route: the subject's tokens are the path, any method. */
    private static TaskRoute subject(String task, String subject) {
        return new TaskRoute(task, "js", "1.0.0", "", "workers", subject, null, List.of(subject.split("\\.")), false,
                Duration.ofSeconds(1), 1);
    }

    /** A route the script declared with {@code http = "METHOD /path"}. */
    private static TaskRoute custom(String task, String subject, String method, String path) {
        return new TaskRoute(task, "js", "1.0.0", "", "workers", subject, method, RouteTable.segments(path), true,
                Duration.ofSeconds(1), 1);
    }

    private static RouteTable table(TaskRoute... routes) {
        return new RouteTable(List.of(routes));
    }

    private static RouteTable.Lookup find(RouteTable table, String method, String path) {
        return table.find(method, RouteTable.segments(path));
    }

    private static String task(RouteTable.Lookup lookup) {
        return lookup.match().orElseThrow(() -> new AssertionError("no match; allowed " + lookup.allowedMethods()))
                .route().task();
    }

    private static String subjectOf(RouteTable.Lookup lookup) {
        return lookup.match().orElseThrow().subject();
    }

    @Test
    void aLiteralBeatsAStarWhichBeatsTheRest() {
        // Listed in every order: the most specific route wins whatever the table's order.
        for (RouteTable table : List.of(
                table(subject("literal", "files.readme"), subject("one", "files.*"), subject("rest", "files.>")),
                table(subject("rest", "files.>"), subject("one", "files.*"), subject("literal", "files.readme")))) {
            assertThat(task(find(table, "GET", "/files/readme"))).isEqualTo("literal");
            assertThat(task(find(table, "GET", "/files/other"))).isEqualTo("one");
            assertThat(task(find(table, "GET", "/files/a/b"))).isEqualTo("rest");
        }
    }

    @Test
    void wildcardsBuildTheConcreteSubjectFromThePath() {
        RouteTable table = table(subject("items", "shop.items.*"), subject("tree", "shop.tree.>"));
        assertThat(subjectOf(find(table, "GET", "/shop/items/42"))).isEqualTo("shop.items.42");
        assertThat(subjectOf(find(table, "DELETE", "/shop/tree/a/b/c"))).isEqualTo("shop.tree.a.b.c");
    }

    @Test
    void aStarIsOneSegmentAndTheRestIsAtLeastOne() {
        RouteTable table = table(subject("items", "shop.items.*"), subject("tree", "shop.tree.>"));
        assertThat(find(table, "GET", "/shop/items/42/more").match()).isEmpty();
        assertThat(find(table, "GET", "/shop/items").match()).isEmpty();
        assertThat(find(table, "GET", "/shop/tree").match()).isEmpty();
        assertThat(find(table, "GET", "/shop/tree").allowedMethods()).isEmpty();
    }

    @Test
    void defaultRoutesTakeEveryMethodAndIgnoreEmptySegments() {
        RouteTable table = table(subject("reverse", "text.reverse"));
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            assertThat(task(find(table, method, "/text/reverse"))).isEqualTo("reverse");
        }
        assertThat(subjectOf(find(table, "POST", "//text//reverse/"))).isEqualTo("text.reverse");
        assertThat(find(table, "POST", "/text").match()).isEmpty();
    }

    @Test
    void aCustomRouteSendsToItsSubjectWithItsMethodOnly() {
        RouteTable table = table(custom("shout", "custom.shout", "POST", "/shout"), subject("other", "other.task"));
        RouteTable.Lookup post = find(table, "POST", "/shout");
        assertThat(task(post)).isEqualTo("shout");
        assertThat(subjectOf(post)).isEqualTo("custom.shout");

        RouteTable.Lookup get = find(table, "GET", "/shout");
        assertThat(get.match()).isEmpty();
        assertThat(get.allowedMethods()).containsExactly("POST");
    }

    @Test
    void aWrongMethodListsEveryMethodThePathAccepts() {
        RouteTable table = table(custom("read", "orders.read", "GET", "/orders"),
                custom("write", "orders.write", "POST", "/orders"));
        assertThat(task(find(table, "GET", "/orders"))).isEqualTo("read");
        assertThat(task(find(table, "POST", "/orders"))).isEqualTo("write");
        RouteTable.Lookup delete = find(table, "DELETE", "/orders");
        assertThat(delete.match()).isEmpty();
        assertThat(delete.allowedMethods()).containsExactlyInAnyOrder("GET", "POST");
    }

    @Test
    void aCustomRouteIsMatchedLiterally() {
        // A declared path is a path, not a subject: '*' in it is a character, not a wildcard.
        RouteTable table = table(custom("star", "custom.star", null, "/stars/*"));
        assertThat(task(find(table, "GET", "/stars/*"))).isEqualTo("star");
        assertThat(find(table, "GET", "/stars/anything").match()).isEmpty();
    }

    @Test
    void pathSegmentsThatAreNotSubjectTokensMatchOnlyCustomRoutes() {
        RouteTable table = table(subject("rest", "files.>"), subject("one", "files.*"),
                custom("versioned", "api.status", "GET", "/api/v1.2/status"));
        // Sent on as subject tokens, these would change the subject's shape or be wildcards.
        for (String path : List.of("/files/a.b", "/files/*", "/files/>", "/files/a b", "/files/x/y.z")) {
            assertThat(find(table, "GET", path).match()).as(path).isEmpty();
        }
        assertThat(task(find(table, "GET", "/api/v1.2/status"))).isEqualTo("versioned");
        assertThat(subjectOf(find(table, "GET", "/api/v1.2/status"))).isEqualTo("api.status");
    }

    @Test
    void anEmptyTableMatchesNothing() {
        RouteTable.Lookup lookup = find(RouteTable.empty(), "GET", "/anything");
        assertThat(lookup.match()).isEmpty();
        assertThat(lookup.allowedMethods()).isEmpty();
    }

    @Test
    void aStreamOrScheduleTaskHasNoRouteButIsListedWithItsTrigger() {
        java.util.Map<String, String> stream = new dev.metropolis.task.TaskMetadata("invoices", "python", "invoices.py",
                List.of("invoices.requested"), "metropolis", "1.0.0", Duration.ofSeconds(10), 4, null, java.util.Map.of(),
                "stream INVOICES durable invoicing max_deliver 4").toMap();
        java.util.Map<String, String> request = new dev.metropolis.task.TaskMetadata("reverse", "js", "reverse.js",
                List.of("text.reverse"), "metropolis", "1.0.0", Duration.ofSeconds(10), 4, null, java.util.Map.of(),
                "request", true).toMap();
        var info = (java.util.function.BiFunction<java.util.Map<String, String>, List<dev.metropolis.nats.ServiceDiscovery.EndpointInfo>,
                dev.metropolis.nats.ServiceDiscovery.ServiceInfo>) (metadata, endpoints) ->
                new dev.metropolis.nats.ServiceDiscovery.ServiceInfo("io.nats.micro.v1.info_response", "t", "id", "1.0.0", "",
                        metadata, endpoints);
        RouteTable table = RouteTable.fromDiscovery(List.of(info.apply(stream, List.of()), info.apply(stream, List.of()),
                info.apply(request, List.of(new dev.metropolis.nats.ServiceDiscovery.EndpointInfo("text_reverse",
                        "text.reverse", "metropolis", java.util.Map.of())))));
        assertThat(table.routes()).extracting(TaskRoute::task).containsExactly("reverse");
        assertThat(table.routes().getFirst().async()).isTrue();
        assertThat(table.triggered()).singleElement().satisfies(task -> {
            assertThat(task.task()).isEqualTo("invoices");
            assertThat(task.trigger()).isEqualTo("stream INVOICES durable invoicing max_deliver 4");
            assertThat(task.instances()).isEqualTo(2);
        });
        assertThat(find(table, "GET", "/").match()).isEmpty();
        assertThat(table.forSubject("text.reverse").orElseThrow().route().task()).isEqualTo("reverse");
        assertThat(table.forSubject("invoices.requested")).isEmpty();
    }
}
