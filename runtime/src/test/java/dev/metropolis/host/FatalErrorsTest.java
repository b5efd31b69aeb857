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
}
