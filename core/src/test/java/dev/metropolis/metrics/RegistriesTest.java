package dev.metropolis.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.metropolis.testkit.Await;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
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

        // The JVM reports collections to listeners on a thread of its own, one notification to every
        // listener in turn: once this test's listener (registered after the registry's binders) has
        // heard of the collections, a binder that registers meters on notifications has had its turn.
        AtomicInteger heard = new AtomicInteger();
        NotificationListener listener = (notification, handback) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                heard.incrementAndGet();
            }
        };
        List<NotificationEmitter> emitters = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(NotificationEmitter.class::isInstance).map(NotificationEmitter.class::cast).toList();
        emitters.forEach(emitter -> emitter.addNotificationListener(listener, null, null));
        try {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            Await.until(Duration.ofSeconds(10), "the JVM to report 3 collections", () -> heard.get() >= 3);
        } finally {
            for (NotificationEmitter emitter : emitters) {
                emitter.removeNotificationListener(listener);
            }
        }

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
