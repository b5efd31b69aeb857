package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Rate;

import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who may call what, how often, in front of the proxy: authenticates the caller, checks the
 * route's policy (401 with {@code WWW-Authenticate}, 403), counts the route's rate limit per caller
 * (429 with {@code Retry-After} and {@code RateLimit-*}), then hands the caller to the proxy
 * through the request's context. Refusals use the gateway's JSON error body; the reason is logged,
 * never the credential.
 */
final class AccessFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(AccessFilter.class.getName());
    static final HeaderName API_KEY = HeaderNames.create("X-API-Key");
    static final HeaderName RATE_LIMIT_LIMIT = HeaderNames.create("RateLimit-Limit");
    static final HeaderName RATE_LIMIT_REMAINING = HeaderNames.create("RateLimit-Remaining");
    static final HeaderName RATE_LIMIT_RESET = HeaderNames.create("RateLimit-Reset");
    private static final String CHALLENGE = "Bearer realm=\"metropolis\"";

    private final Supplier<Authenticator> authenticator;
    private final Supplier<RouteTable> routes;
    private final Rate defaultRate;
    private final RateLimiter limiter = new RateLimiter();
    private final LongSupplier nanoTime;

    /** {@code authenticator} supplies null when authentication is off. */
    AccessFilter(Supplier<Authenticator> authenticator, Supplier<RouteTable> routes, Rate defaultRate, LongSupplier nanoTime) {
        this.authenticator = authenticator;
        this.routes = routes;
        this.defaultRate = defaultRate;
        this.nanoTime = nanoTime;
    }

    /** Whether bearer tokens may be JWTs now (the auth file has a jwt section). */
    boolean acceptsJwt() {
        Authenticator auth = authenticator.get();
        return auth != null && auth.jwt() != null;
    }

    /** The policies in force now (the auth file may have been reloaded). */
    EdgePolicy edge() {
        Authenticator auth = authenticator.get();
        return auth == null ? new EdgePolicy(AccessPolicy.PUBLIC, defaultRate, false)
                : new EdgePolicy(auth.defaultPolicy(), defaultRate, true);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        String path = request.path().path();
        String method = request.prologue().method().text();
        if (path.startsWith("/observe/") || method.equals("OPTIONS")) {
            chain.proceed(); // health for probes; preflight is the CORS filter's, before this one
            return;
        }
        Authenticator auth = authenticator.get();
        EdgePolicy edge = edge();
        boolean listing = isListing(path);
        TaskRoute route = null;
        if (!listing) {
            RouteTable.Lookup lookup = RouteTable.lookup(routes.get(), request);
            request.context().register(lookup); // the proxy routes by this lookup: one per request, and the one checked here
            route = lookup.match().map(RouteTable.Match::route).orElse(null);
        }
        if (route == null && !listing) {
            chain.proceed(); // no such route: the proxy answers 404 or 405
            return;
        }
        Optional<CallerIdentity> caller = Optional.empty();
        if (auth != null) {
            try {
                caller = auth.authenticate(request.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
                        request.headers().first(API_KEY).orElse(null));
            } catch (Authenticator.Refused refused) {
                unauthenticated(response, method, path, refused.getMessage(), true);
                return;
            }
            AccessPolicy policy = route == null ? edge.listPolicy() : edge.policy(route);
            if (!allowed(response, method, path, policy, caller, route)) {
                return;
            }
        }
        if (route != null && !withinRate(response, route, edge, caller, request)) {
            return;
        }
        caller.ifPresent(identity -> request.context().register(identity));
        chain.proceed();
    }

    /**
     * Whether a path shows what the tasks are and how they do ({@code GET /tasks}, the OpenAPI
     * document, the console's stats and events): these need what {@link EdgePolicy#listPolicy} asks. The console's own
     * files hold nothing of the tasks and are open, like a 404.
     */
    static boolean isListing(String path) {
        // The task list, the console's data and the OpenAPI document say what is served: one policy, listPolicy().
        return path.equals("/tasks") || path.equals(Gateway.OPENAPI_PATH) || path.startsWith("/console/api/");
    }

    private boolean allowed(RoutingResponse response, String method, String path, AccessPolicy policy,
            Optional<CallerIdentity> caller, TaskRoute route) {
        if (policy.kind() == AccessPolicy.Kind.PUBLIC) {
            return true;
        }
        if (policy.kind() == AccessPolicy.Kind.UNREADABLE) {
            forbidden(response, method, path, "the task's auth policy could not be read; it is refused to everyone", route);
            return false;
        }
        if (caller.isEmpty()) {
            unauthenticated(response, method, path, "this route needs a credential (Authorization: Bearer, or X-API-Key)",
                    false);
            return false;
        }
        CallerIdentity identity = caller.get();
        if (route != null && !identity.tasks().isEmpty() && !identity.tasks().contains(route.task())) {
            forbidden(response, method, path, "'" + identity.subject() + "' may not call task " + route.task(), route);
            return false;
        }
        if (policy.kind() == AccessPolicy.Kind.SCOPES) {
            var missing = policy.scopes().stream().filter(scope -> !identity.scopes().contains(scope)).toList();
            if (!missing.isEmpty()) {
                forbidden(response, method, path, "'" + identity.subject() + "' lacks scope "
                        + String.join(", ", missing.stream().map(scope -> AccessPolicy.SCOPE_PREFIX + scope).toList()), route);
                return false;
            }
        }
        return true;
    }

    private boolean withinRate(RoutingResponse response, TaskRoute route, EdgePolicy edge,
            Optional<CallerIdentity> caller, RoutingRequest request) {
        Optional<Rate> rate = edge.rate(route);
        if (rate.isEmpty()) {
            return true;
        }
        String who = caller.map(CallerIdentity::rateKey).orElseGet(() -> "ip:" + (request.remotePeer().address()
                instanceof InetSocketAddress address ? address.getAddress().getHostAddress() : "unknown"));
        RateLimiter.Outcome outcome = limiter.acquire(route.key() + "|" + who, rate.get(), nanoTime.getAsLong());
        response.header(RATE_LIMIT_LIMIT, Integer.toString(outcome.limit()));
        response.header(RATE_LIMIT_REMAINING, Integer.toString(outcome.remaining()));
        response.header(RATE_LIMIT_RESET, Long.toString(outcome.resetSeconds()));
        if (outcome.allowed()) {
            return true;
        }
        response.header(HeaderNames.RETRY_AFTER, Long.toString(outcome.retryAfterSeconds()));
        TaskProxy.sendError(response, TaskError.of(ErrorKind.RATE_LIMITED, "over the rate limit of " + rate.get()
                + " for " + route.display() + "; retry after " + outcome.retryAfterSeconds() + " s"), route.task(), null);
        return false;
    }

    private static void unauthenticated(RoutingResponse response, String method, String path, String reason,
            boolean invalid) {
        LOG.log(Level.INFO, "401 {0} {1}: {2}", new Object[] {method, path, reason});
        response.header(HeaderNames.WWW_AUTHENTICATE, invalid ? CHALLENGE + ", error=\"invalid_token\"" : CHALLENGE);
        TaskProxy.sendError(response, TaskError.of(ErrorKind.UNAUTHENTICATED, reason), null, null);
    }

    private static void forbidden(RoutingResponse response, String method, String path, String reason, TaskRoute route) {
        LOG.log(Level.INFO, "403 {0} {1}: {2}", new Object[] {method, path, reason});
        TaskProxy.sendError(response, TaskError.of(ErrorKind.FORBIDDEN, reason), route == null ? null : route.task(), null);
    }
}
