package dev.metropolis.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metropolis.task.ErrorKind;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The error half of the OpenAPI document, read from {@link ErrorKind}'s table: statuses, their kinds, the body. */
final class ErrorStatuses {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ErrorStatuses() {}

    /** Each status an error kind maps to, with the kinds that give it: {400: "rejected, bad_payload: ..."}. */
    static Map<Integer, String> table() {
        Map<Integer, String> table = new TreeMap<>();
        java.util.Arrays.stream(ErrorKind.values())
                .collect(Collectors.groupingBy(ErrorKind::defaultCode, TreeMap::new, Collectors.toList()))
                .forEach((code, kinds) -> table.put(code, "error " + code + ": " + kinds.stream().map(ErrorKind::label)
                        .collect(Collectors.joining(", ")) + " (see the kind in the body)"));
        return table;
    }

    /** The JSON error body every error response carries. */
    static ObjectNode errorSchema() {
        ObjectNode schema = NODES.objectNode();
        schema.put("type", "object");
        schema.putArray("required").add("error").add("code").add("kind");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("error").put("type", "string").put("description", "what went wrong and what to do");
        properties.putObject("code").put("type", "integer").put("minimum", 400).put("maximum", 599);
        ArrayNode kinds = properties.putObject("kind").put("type", "string").putArray("enum");
        for (ErrorKind kind : ErrorKind.values()) {
            kinds.add(kind.label());
        }
        properties.putObject("task").put("type", "string");
        properties.putObject("subject").put("type", "string");
        ObjectNode violation = properties.putObject("violations").put("type", "array")
                .put("description", "invalid_input only: each failing JSON pointer and schema rule").putObject("items");
        violation.put("type", "object");
        violation.putArray("required").add("pointer").add("rule").add("message");
        ObjectNode fields = violation.putObject("properties");
        for (String field : new String[] {"pointer", "rule", "message"}) {
            fields.putObject(field).put("type", "string");
        }
        return schema;
    }

    /** A response that refers to the shared one of {@code code}. */
    static ObjectNode ref(int code) {
        return NODES.objectNode().put("$ref", "#/components/responses/" + code);
    }
}
