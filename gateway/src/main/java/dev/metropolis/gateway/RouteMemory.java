package dev.metropolis.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Remembers routes (and the tasks without routes, run from streams and schedules) across
 * discovery rounds: one seen in a round is current; one missing from a round is kept until it has
 * been missing {@code missesBeforeRemoval} rounds in a row, so a host that answers a round late
 * (busy, GC pause) does not lose its routes. A pure step, testable alone.
 */
final class RouteMemory {
    private final Remembering<TaskRoute> routes;
    private final Remembering<RouteTable.TriggeredTask> triggered;

    RouteMemory(int missesBeforeRemoval) {
        this.routes = new Remembering<>(missesBeforeRemoval, TaskRoute::key);
        this.triggered = new Remembering<>(missesBeforeRemoval, RouteTable.TriggeredTask::key);
    }

    /** Folds one round's answers in and returns the routes to serve now. */
    RouteTable merge(RouteTable answered) {
        return new RouteTable(routes.merge(answered.routes()), triggered.merge(answered.triggered()));
    }

    private static final class Remembering<T> {
        private final int missesBeforeRemoval;
        private final Function<T, String> key;
        private final Map<String, Remembered<T>> known = new LinkedHashMap<>();

        Remembering(int missesBeforeRemoval, Function<T, String> key) {
            this.missesBeforeRemoval = missesBeforeRemoval;
            this.key = key;
        }

        List<T> merge(List<T> answered) {
            Map<String, T> seen = new LinkedHashMap<>();
            answered.forEach(item -> seen.put(key.apply(item), item));
            known.entrySet().removeIf(entry -> !seen.containsKey(entry.getKey())
                    && ++entry.getValue().misses >= missesBeforeRemoval);
            seen.forEach((id, item) -> known.put(id, new Remembered<>(item)));
            List<T> current = new ArrayList<>();
            known.values().forEach(remembered -> current.add(remembered.item));
            return current;
        }
    }

    private static final class Remembered<T> {
        final T item;
        int misses;

        Remembered(T item) {
            this.item = item;
        }
    }
}
