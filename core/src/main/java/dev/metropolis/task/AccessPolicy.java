package dev.metropolis.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who may call a route: anyone ({@code "public"}), any authenticated caller ({@code "required"}),
 * or a caller holding every listed scope ({@code ["scope:orders.write"]}). A policy a host announced
 * that cannot be read refuses everyone, so a typo never opens a task.
 *
 * @param kind   which of the above
 * @param scopes the scopes required (names without the {@code scope:} prefix); empty unless {@link Kind#SCOPES}
 */
public record AccessPolicy(Kind kind, List<String> scopes) {
    /** The prefix of a scope in a policy, as a script writes it. */
    public static final String SCOPE_PREFIX = "scope:";
    public static final AccessPolicy PUBLIC = new AccessPolicy(Kind.PUBLIC, List.of());
    public static final AccessPolicy REQUIRED = new AccessPolicy(Kind.REQUIRED, List.of());
    public static final AccessPolicy UNREADABLE = new AccessPolicy(Kind.UNREADABLE, List.of());

    /** The kinds of policy. */
    public enum Kind { PUBLIC, REQUIRED, SCOPES, UNREADABLE }

    public AccessPolicy {
        Objects.requireNonNull(kind, "kind");
        scopes = List.copyOf(scopes);
        if ((kind == Kind.SCOPES) == scopes.isEmpty()) {
            throw new IllegalArgumentException("a scopes policy lists at least one scope, the others none");
        }
    }

    /**
     * Reads a policy as announced in discovery ({@code metropolis.auth}): "public", "required", or
     * "scope:a,scope:b". Null when absent (the gateway's default applies); {@link #UNREADABLE} when malformed.
     */
    public static AccessPolicy announced(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            return UNREADABLE;
        }
    }

    /** Reads "public", "required" or comma-separated "scope:..." entries; throws with what was wrong. */
    public static AccessPolicy parse(String value) {
        String trimmed = value.trim();
        if (trimmed.equals("public")) {
            return PUBLIC;
        }
        if (trimmed.equals("required")) {
            return REQUIRED;
        }
        return scopes(List.of(trimmed.split(",")));
    }

    /** A policy from a list of {@code scope:name} entries. */
    public static AccessPolicy scopes(List<String> entries) {
        List<String> names = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (!e.startsWith(SCOPE_PREFIX) || e.length() == SCOPE_PREFIX.length() || e.contains(" ")) {
                throw new IllegalArgumentException("'" + e + "' is not \"public\", \"required\" or \"scope:NAME\"");
            }
            names.add(e.substring(SCOPE_PREFIX.length()));
        }
        return new AccessPolicy(Kind.SCOPES, names);
    }

    /** What {@code GET /tasks} shows: "public", "required", ["scope:..."], or "unreadable". */
    public Object describe() {
        return switch (kind) {
            case PUBLIC -> "public";
            case REQUIRED -> "required";
            case UNREADABLE -> "unreadable";
            case SCOPES -> scopes.stream().map(scope -> SCOPE_PREFIX + scope).toList();
        };
    }

    /** The announced form ({@code metropolis.auth}); {@link #announced} reads it back. */
    public String announcedForm() {
        Object described = describe();
        return described instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                : described.toString();
    }
}
