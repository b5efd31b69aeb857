package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMemoryTest {
    private static final TaskRoute REVERSE = route("reverse", "text.reverse");
    private static final TaskRoute ADD = route("add", "math.add");

    private static TaskRoute route(String task, String subject) {
        return new TaskRoute(task, "js", "1.0.0", "", "metropolis", subject, null, List.of(subject.split("\\.")), false,
                Duration.ofSeconds(1), 1);
    }

    private static RouteTable table(TaskRoute... routes) {
        return new RouteTable(List.of(routes));
    }

    @Test
    void aRouteMissingFromOneRoundIsKept() {
        RouteMemory memory = new RouteMemory(3);
        memory.merge(table(REVERSE, ADD));
        assertThat(memory.merge(table(ADD)).routes()).containsExactlyInAnyOrder(REVERSE, ADD);
        assertThat(memory.merge(table()).routes()).containsExactlyInAnyOrder(REVERSE, ADD);
    }

    @Test
    void aRouteMissingForTheWholeGraceIsDropped() {
        RouteMemory memory = new RouteMemory(3);
        memory.merge(table(REVERSE, ADD));
        memory.merge(table(ADD));
        memory.merge(table(ADD));
        assertThat(memory.merge(table(ADD)).routes()).containsExactly(ADD);
    }

    @Test
    void answeringAgainResetsTheCount() {
        RouteMemory memory = new RouteMemory(2);
        memory.merge(table(REVERSE));
        memory.merge(table());
        memory.merge(table(REVERSE));
        assertThat(memory.merge(table()).routes()).containsExactly(REVERSE);
        assertThat(memory.merge(table()).routes()).isEmpty();
    }

    @Test
    void newRoutesAppearAtOnceWithTheirLatestInstanceCount() {
        RouteMemory memory = new RouteMemory(3);
        memory.merge(table(ADD));
        TaskRoute twice = REVERSE.withInstances(2);
        assertThat(memory.merge(table(ADD, twice)).routes()).contains(twice);
    }
}
