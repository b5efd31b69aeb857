package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Rate;

import java.util.Optional;

/**
 * The gateway's defaults for routes whose task declares no {@code auth} or {@code rate} of its own.
 *
 * @param defaultAuth the policy of tasks that declare none
 * @param defaultRate the rate limit of tasks that declare none, or null for no limit
 * @param enforced    false when the gateway runs without authentication ({@code --auth off}): then
 *                    every route is public whatever its task declares
 */
record EdgePolicy(AccessPolicy defaultAuth, Rate defaultRate, boolean enforced) {
    /** No authentication and no default rate limit. */
    static final EdgePolicy OPEN = new EdgePolicy(AccessPolicy.PUBLIC, null, false);

    /** The policy enforced on {@code route}. */
    AccessPolicy policy(TaskRoute route) {
        if (!enforced) {
            return AccessPolicy.PUBLIC;
        }
        return route.auth() != null ? route.auth() : defaultAuth;
    }

    /** {@code GET /tasks} lists every route's name and policy: it needs what the default asks, at most a credential. */
    AccessPolicy listPolicy() {
        return !enforced || defaultAuth.kind() == AccessPolicy.Kind.PUBLIC ? AccessPolicy.PUBLIC : AccessPolicy.REQUIRED;
    }

    /** The rate limit enforced on {@code route}, if any. */
    Optional<Rate> rate(TaskRoute route) {
        return Optional.ofNullable(route.rate() != null ? route.rate() : defaultRate);
    }
}
