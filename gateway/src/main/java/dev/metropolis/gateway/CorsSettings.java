package dev.metropolis.gateway;

import java.time.Duration;
import java.util.List;

/**
 * What cross-origin callers may do.
 *
 * @param origins     allowed origins ("https://app.example.com"), or "*" for any
 * @param methods     methods a preflight allows
 * @param headers     request headers a preflight allows
 * @param credentials whether browsers may send cookies or Authorization (then "*" is echoed as the origin)
 * @param maxAge      how long a browser may cache a preflight's answer
 */
public record CorsSettings(List<String> origins, List<String> methods, List<String> headers, boolean credentials,
        Duration maxAge) {
    public CorsSettings {
        origins = List.copyOf(origins);
        methods = List.copyOf(methods);
        headers = List.copyOf(headers);
    }

    /** Whether CORS is on: some origin is allowed. */
    public boolean enabled() {
        return !origins.isEmpty();
    }

    boolean allows(String origin) {
        return origins.contains("*") || origins.contains(origin);
    }

    /** CORS off: no origin allowed, no headers added. */
    public static final CorsSettings OFF = new CorsSettings(List.of(), List.of(), List.of(), false, Duration.ZERO);
}
