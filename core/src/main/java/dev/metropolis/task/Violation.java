package dev.metropolis.task;

import java.util.Objects;

/**
 * One way an input breaks its task's schema: where (a JSON pointer into the input, "" for the whole
 * input), which rule (the schema keyword, e.g. "minimum", "required") and what a person should read.
 *
 * @param pointer the RFC 6901 pointer to the failing value, "" for the root
 * @param rule    the JSON Schema keyword that failed
 * @param message what is wrong, in words
 */
public record Violation(String pointer, String rule, String message) {
    public Violation {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    /** "/qty: minimum: must have a minimum value of 1" ("(root)" for the whole input). */
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(root)" : pointer) + ": " + rule + ": " + message;
    }
}
