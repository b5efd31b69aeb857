package dev.metropolis.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A route a script declares for the gateway with {@code http = "POST /reverse"} (or {@code "/reverse"},
 * any method): written in the script's header, published in discovery, read by the gateway.
 *
 * @param method the only method accepted, or null for any
 * @param path   the path, starting with '/'
 */
public record HttpRoute(String method, String path) {
    /** The methods a route may name; the gateway serves these on every route. */
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    public HttpRoute {
        if (method != null && !METHODS.contains(method)) {
            throw new IllegalArgumentException("http route method '" + method + "' is not one of GET, POST, PUT, PATCH, DELETE");
        }
        if (path == null || !path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("http route path '" + path + "' must start with '/' and have no spaces");
        }
    }

    /**
     * Reads {@code "METHOD /path"} or {@code "/path"}.
     *
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static HttpRoute parse(String text) {
        int space = text.indexOf(' ');
        try {
            return space < 0 ? new HttpRoute(null, text) : new HttpRoute(text.substring(0, space), text.substring(space + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("http route '" + text + "' is not \"METHOD /path\" or \"/path\""
                    + " (METHOD one of GET, POST, PUT, PATCH, DELETE), e.g. \"POST /reverse\"");
        }
    }

    /** The non-empty segments of the path: "/text/reverse" -> [text, reverse]. */
    public List<String> segments() {
        return segments(path);
    }

    /** The non-empty segments of a URL path: "/text/reverse" -> [text, reverse]. */
    public static List<String> segments(String path) {
        List<String> segments = new ArrayList<>(4);
        int start = 0;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end > start) {
                segments.add(path.substring(start, end));
            }
            start = end + 1;
        }
        return segments;
    }

    /** The header form: "POST /reverse" or "/reverse". */
    @Override
    public String toString() {
        return method == null ? path : method + " " + path;
    }
}
