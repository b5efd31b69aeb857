package dev.metropolis.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers routes across discovery rounds: a route seen in a round is current; one missing from
 * a round is kept until it has been missing {@code missesBeforeRemoval} rounds in a row, so a host
 * that answers a round late (busy, GC pause) does not lose its routes. A pure step, testable alone.
 */
final class RouteMemory {
    private final int missesBeforeRemoval;
    private final Map<String, Remembered> routes = new LinkedHashMap<>();

    RouteMemory(int missesBeforeRemoval) {
        this.missesBeforeRemoval = missesBeforeRemoval;
    }

    /** Folds one round's answers in and returns the routes to serve now. */
    RouteTable merge(RouteTable answered) {
        Map<String, TaskRoute> seen = new LinkedHashMap<>();
        answered.routes().forEach(route -> seen.put(route.key(), route));
        routes.entrySet().removeIf(entry -> !seen.containsKey(entry.getKey())
                && ++entry.getValue().misses >= missesBeforeRemoval);
        seen.forEach((key, route) -> routes.put(key, new Remembered(route)));
        List<TaskRoute> current = new ArrayList<>();
        routes.values().forEach(remembered -> current.add(remembered.route));
        return new RouteTable(current);
    }

    private static final class Remembered {
        final TaskRoute route;
        int misses;

        Remembered(TaskRoute route) {
            this.route = route;
        }
    }
}
