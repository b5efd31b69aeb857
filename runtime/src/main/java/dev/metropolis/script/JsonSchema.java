package dev.metropolis.script;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.metropolis.task.Violation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One JSON Schema (draft 2020-12) from a script's header, checked against the draft's meta-schema
 * and compiled once per script version; {@link #violations} validates a value against it.
 */
public final class JsonSchema {
    /** The one dialect a header's schema may name (or leave out). */
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Immutable once built and safe to share: it only compiles. The meta-schemas come from the
     * validator's jar, so nothing is fetched.
     */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()));
    private static final Schema META = REGISTRY.getSchema(SchemaLocation.of(DIALECT));

    private final String json;
    private final Schema schema;

    private JsonSchema(JsonNode node, Schema schema) {
        this.json = node.toString();
        this.schema = schema;
    }

    /**
     * Checks and compiles a schema; throws IllegalArgumentException listing what breaks the draft
     * 2020-12 meta-schema (or a {@code $ref} that would leave the schema).
     */
    public static JsonSchema compile(JsonNode node) {
        Objects.requireNonNull(node, "node");
        if (!node.isObject() && !node.isBoolean()) {
            throw new IllegalArgumentException("a JSON Schema is an object (or true/false), got " + node.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT));
        }
        if (node.has("$schema") && !DIALECT.equals(node.get("$schema").asText())) {
            throw new IllegalArgumentException("$schema " + node.get("$schema") + " is not draft 2020-12; leave it out"
                    + " or write \"" + DIALECT + "\"");
        }
        checkReferences(node, "");
        List<Violation> problems = violations(META, node);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("not a valid JSON Schema (draft 2020-12): " + String.join("; ",
                    problems.stream().map(Violation::toString).toList()));
        }
        try {
            Schema schema = REGISTRY.getSchema(node);
            schema.initializeValidators(); // compile now, not on the first message
            return new JsonSchema(node, schema);
        } catch (SchemaException e) {
            throw new IllegalArgumentException("not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    /** Every violation of this schema by {@code value}, in the validator's order; empty when it conforms. */
    public List<Violation> violations(JsonNode value) {
        return violations(schema, value);
    }

    /** The schema as compact JSON text, as published in discovery. */
    public String json() {
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonSchema schema && schema.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json;
    }

    /** Parses JSON text into a tree, for schema files; throws IllegalArgumentException on bad JSON. */
    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
    }

    private static List<Violation> violations(Schema schema, JsonNode value) {
        List<Violation> found = new ArrayList<>();
        for (com.networknt.schema.Error error : schema.validate(value)) {
            String pointer = error.getInstanceLocation().toString();
            found.add(new Violation(pointer, error.getKeyword() == null ? "schema" : error.getKeyword(), error.getMessage()));
        }
        return found;
    }

    /** Refuses {@code $ref}s to other documents: a host resolves nothing over the network or outside the schema. */
    private static void checkReferences(JsonNode node, String at) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                boolean reference = field.getKey().equals("$ref") || field.getKey().equals("$dynamicRef");
                if (reference && field.getValue().isTextual() && !field.getValue().asText().startsWith("#")) {
                    throw new IllegalArgumentException(at + "/" + field.getKey() + " " + field.getValue() + " points outside"
                            + " the schema; only local references (\"#/$defs/...\") are resolved");
                }
                checkReferences(field.getValue(), at + "/" + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkReferences(node.get(i), at + "/" + i);
            }
        }
    }
}
