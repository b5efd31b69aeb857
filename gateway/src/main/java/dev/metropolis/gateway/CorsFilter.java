package dev.metropolis.gateway;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;

/**
 * CORS for browsers calling the gateway from another origin: preflights ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) are answered here, before authentication (a browser sends
 * them without credentials); other requests from an allowed origin get the allow headers added.
 * A request from an origin not allowed goes on unchanged: the browser, not the gateway, withholds
 * the answer, and a preflight from it is a 403.
 */
final class CorsFilter implements Filter {
    private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");
    private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_METHODS = HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName ALLOW_HEADERS = HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName ALLOW_CREDENTIALS = HeaderNames.create("Access-Control-Allow-Credentials");
    private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");
    private static final HeaderName EXPOSE_HEADERS = HeaderNames.create("Access-Control-Expose-Headers");
    /** Response headers a script in the browser may read: ids, retry advice and limits. */
    private static final String EXPOSED = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset";

    private final CorsSettings settings;

    CorsFilter(CorsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        Optional<String> origin = request.headers().first(HeaderNames.ORIGIN);
        boolean preflight = request.prologue().method().text().equals("OPTIONS")
                && request.headers().contains(REQUEST_METHOD);
        if (origin.isEmpty()) {
            chain.proceed();
            return;
        }
        response.header(HeaderNames.VARY, "Origin");
        if (!settings.allows(origin.get())) {
            if (preflight) {
                TaskProxy.sendError(response, TaskError.of(ErrorKind.FORBIDDEN, "origin " + origin.get()
                        + " may not call this gateway (--cors-origins)"), null, null);
            } else {
                chain.proceed();
            }
            return;
        }
        response.header(ALLOW_ORIGIN, settings.origins().contains("*") && !settings.credentials() ? "*" : origin.get());
        if (settings.credentials()) {
            response.header(ALLOW_CREDENTIALS, "true");
        }
        if (!preflight) {
            response.header(EXPOSE_HEADERS, EXPOSED);
            chain.proceed();
            return;
        }
        response.header(ALLOW_METHODS, String.join(", ", settings.methods()));
        response.header(ALLOW_HEADERS, String.join(", ", settings.headers()));
        response.header(MAX_AGE, Long.toString(settings.maxAge().toSeconds()));
        response.status(204).send();
    }
}
