package dev.metropolis.runner;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.metropolis.script.JsonSchema;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.Violation;
import java.util.List;

/**
 * Checks a message's body against its task's input schema before the task runs: the body as the
 * task would receive it (parsed JSON, or text as a JSON string), so the schema speaks of what
 * {@code handle} gets. A violation is a 422 {@link TaskError} naming every failing pointer and rule.
 */
final class InputCheck {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Most violations named in the message. */
    private static final int MOST_IN_MESSAGE = 5;
    /** Most violations listed in the body: an input wrong everywhere must not make a reply too large to send. */
    static final int MOST_IN_BODY = 100;

    private InputCheck() {}

    /** Throws an INVALID_INPUT (422) or BAD_PAYLOAD (400) TaskError unless the body conforms to {@code schema}. */
    static void check(JsonSchema schema, String task, Payload payload) {
        List<Violation> violations = payload.kind() == Payload.BodyKind.BYTES
                ? List.of(new Violation("", "type", "the body is binary (its Content-Type is neither JSON nor text);"
                        + " the input schema describes JSON"))
                : schema.violations(value(payload));
        if (violations.isEmpty()) {
            return;
        }
        List<String> named = violations.stream().limit(MOST_IN_MESSAGE).map(Violation::toString).toList();
        String more = violations.size() > MOST_IN_MESSAGE ? "; and " + (violations.size() - MOST_IN_MESSAGE) + " more" : "";
        throw TaskError.invalidInput("the input does not match the input schema of task '" + task + "': "
                + String.join("; ", named) + more, violations.subList(0, Math.min(violations.size(), MOST_IN_BODY)));
    }

    /** The body as JSON: parsed when it is (or may be) JSON, else the text as a string. */
    private static JsonNode value(Payload payload) {
        if (payload.kind() == Payload.BodyKind.TEXT) {
            return TextNode.valueOf(payload.text());
        }
        try {
            return JSON.readTree(payload.text());
        } catch (StreamConstraintsException e) {
            throw TaskError.of(ErrorKind.BAD_PAYLOAD, "the payload is JSON nested too deeply (or too large) to decode: "
                    + e.getOriginalMessage());
        } catch (JacksonException e) {
            if (payload.kind() == Payload.BodyKind.JSON) {
                throw TaskError.of(ErrorKind.BAD_PAYLOAD, "the payload is declared as JSON but is not valid JSON: "
                        + e.getOriginalMessage());
            }
            return TextNode.valueOf(payload.text()); // text that only looked like JSON, as the task would get it
        }
    }
}
