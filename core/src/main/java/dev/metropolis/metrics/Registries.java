package dev.metropolis.metrics;

import io.helidon.metrics.api.BuiltInMeterNameFormat;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** The process-wide meter registry that Helidon's {@code /observe/metrics} exports. */
public final class Registries {
    private static MeterRegistry global;

    private Registries() {}

    /**
     * Helidon's global registry, created on first use with snake_case names for its built-in JVM
     * meters (camelCase ones fail {@code promtool check metrics}). Helidon keeps one registry per
     * process; this makes sure it is created with our settings whoever asks first.
     */
    public static synchronized MeterRegistry global() {
        if (global == null) {
            global = MetricsFactory.getInstance().globalRegistry(config());
            bindJvmMeters(global.unwrap(io.micrometer.core.instrument.MeterRegistry.class));
        }
        return global;
    }

    /**
     * JVM and process basics: memory, GC, threads, class loading, uptime, open files. All of them
     * are registered here, once. Micrometer's {@code JvmGcMetrics} is not used: it registers
     * meters later, from the JVM's GC notification thread, straight on the Micrometer registry,
     * and that takes Micrometer's lock before Helidon's while {@code getOrCreate} takes Helidon's
     * before Micrometer's. A gateway deadlocked so (a request blocked in its metrics for good).
     */
    private static void bindJvmMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        bindGcMeters(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Collections and collection time of each garbage collector, read when scraped. */
    private static void bindGcMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionCounter.builder("jvm.gc.collections", collector, gc -> Math.max(0, gc.getCollectionCount()))
                    .tag("gc", collector.getName())
                    .description("Collections by this garbage collector since the JVM started")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.time", collector, gc -> Math.max(0, gc.getCollectionTime()) / 1000.0)
                    .tag("gc", collector.getName())
                    .baseUnit("seconds")
                    .description("Time spent in this garbage collector since the JVM started (approximate)")
                    .register(registry);
        }
    }

    /**
     * The settings the registry and Helidon's metrics endpoint share. Helidon's own JVM meters (the
     * "base" scope) are off: some of their names end in {@code _count} without being counters, which
     * {@code promtool check metrics} rejects; Micrometer's JVM binders take their place.
     */
    public static MetricsConfig config() {
        return MetricsConfig.builder()
                .builtInMeterNameFormat(BuiltInMeterNameFormat.SNAKE)
                .scoping(scoping -> scoping.putScope("base", scope -> scope.name("base").enabled(false)))
                .build();
    }
}
