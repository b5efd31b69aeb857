package dev.metropolis.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RegistriesTest {
    private final MeterRegistry registry = Registries.global().unwrap(MeterRegistry.class);

    /**
     * A meter registered from the JVM's GC notification thread can deadlock with a task's first
     * metrics (Micrometer's lock, then Helidon's, against Helidon's, then Micrometer's): every
     * JVM meter must exist before the first collection is reported.
     */
    @Test
    void aGarbageCollectionRegistersNoMeter() throws Exception {
        Set<Meter.Id> before = ids();
        double collections = collections();

        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Thread.sleep(500); // the JVM reports collections on a thread of its own

        assertThat(ids()).isEqualTo(before);
        assertThat(collections()).isGreaterThanOrEqualTo(collections + 3);
    }

    private Set<Meter.Id> ids() {
        return registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
    }

    private double collections() {
        return registry.find("jvm.gc.collections").functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }
}
