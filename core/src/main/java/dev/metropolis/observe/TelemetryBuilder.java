package dev.metropolis.observe;

import dev.metropolis.metrics.Registries;
import dev.metropolis.trace.Tracing;
import io.helidon.metrics.api.MeterRegistry;
import java.util.Objects;

/**
 * What the host's and the gateway's builders share: where meters and spans go. The defaults read
 * no environment: the process's meter registry (which {@code /observe/metrics} exports) and no
 * tracing; the command line passes tracing configured from {@code OTEL_*}.
 *
 * @param <B> the concrete builder, returned by the setters
 */
public abstract class TelemetryBuilder<B extends TelemetryBuilder<B>> {
    private MeterRegistry registry = Registries.global();
    private Tracing tracing = Tracing.disabled();

    /** Where the meters go. */
    public B registry(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return self();
    }

    /** Where spans go; the caller closes it, after what it built. */
    public B tracing(Tracing tracing) {
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        return self();
    }

    protected MeterRegistry registry() {
        return registry;
    }

    protected Tracing tracing() {
        return tracing;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
