package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A host thread dying of a VM error exits the process with status 70; any other error is only logged. */
class FatalErrorsTest {
    @Test
    void aHostThreadDyingOfOutOfMemoryExitsWithStatus70() {
        List<Integer> exits = new ArrayList<>();

        FatalErrors.handle(new Thread(() -> { }, "task-watchdog"), new OutOfMemoryError("Java heap space"), exits::add);

        assertThat(exits).containsExactly(FatalErrors.EXIT_CODE);
        assertThat(FatalErrors.EXIT_CODE).isEqualTo(70);
    }

    @Test
    void anOrdinaryExceptionKillingAThreadDoesNotExit() {
        List<Integer> exits = new ArrayList<>();

        FatalErrors.handle(new Thread(() -> { }, "some-thread"), new IllegalStateException("bug"), exits::add);

        assertThat(exits).isEmpty();
    }

    @Test
    void aPooledThreadDyingOfOutOfMemoryIsReplacedAndTheHostServesOn() {
        List<Integer> exits = new ArrayList<>();

        for (String name : List.of("context-creator-js-2", "task-echo-3", "task-interrupter-7", "script-retirer-1")) {
            FatalErrors.handle(new Thread(() -> { }, name), new OutOfMemoryError("Java heap space"), exits::add);
        }

        assertThat(exits).isEmpty();
    }

    @Test
    void onlyTasksWorkersAndPoolsCountAsReplaced() {
        assertThat(FatalErrors.isReplaced("task-echo-3")).isTrue();
        assertThat(FatalErrors.isReplaced("task-watchdog")).isFalse();
        assertThat(FatalErrors.isReplaced("stream-orders")).isFalse();
        assertThat(FatalErrors.isReplaced("nats-connect")).isFalse();
    }
}
