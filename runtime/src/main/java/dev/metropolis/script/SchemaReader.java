package dev.metropolis.script;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Reads a header's {@code input} / {@code output}: a TOML table ({@code [input]} or inline
 * {@code input = {...}}) holding the JSON Schema, or the path of a {@code .json} file inside the
 * scripts folder. Every problem is a {@link ScriptProblem} at the key's line.
 */
final class SchemaReader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Header keys that are also JSON Schema keywords, so allowed inside a schema table. */
    private static final Set<String> SHARED_KEYWORDS = Set.of("description");

    private SchemaReader() {}

    /** A schema as declared: the compiled schema and the file it came from (null when written in the header). */
    record Read(JsonSchema schema, Path file) {}

    static Read read(Path script, String key, Object value, int line) throws ScriptProblem {
        try {
            return switch (value) {
                case TomlTable table -> new Read(JsonSchema.compile(fromTable(script, key, table, line)), null);
                case String path -> fromFile(script, key, path, line);
                default -> throw new IllegalArgumentException("expected a JSON Schema as a table ([" + key + "] with"
                        + " type = \"object\" ..., or " + key + " = { type = \"object\" }) or the path of a .json file in"
                        + " the scripts folder (\"schemas/order.json\"), got " + HeaderParser.describe(value));
            };
        } catch (IllegalArgumentException e) {
            throw new ScriptProblem(script, line, "key '" + key + "': " + e.getMessage(), e);
        }
    }

    private static JsonNode fromTable(Path script, String key, TomlTable table, int line) throws ScriptProblem {
        for (String inner : table.keySet()) {
            if (HeaderParser.isKey(inner) && !SHARED_KEYWORDS.contains(inner)) {
                throw new ScriptProblem(script, line, "key '" + key + "." + inner + "': '" + inner + "' is a header key,"
                        + " but keys after [" + key + "] belong to the schema: move '" + inner + "' above the [" + key
                        + "] line");
            }
        }
        return toJson(table);
    }

    private static Read fromFile(Path script, String key, String path, int line) throws ScriptProblem {
        Path folder = script.toAbsolutePath().normalize().getParent();
        Path relative;
        try {
            relative = Path.of(path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + path + "' is not a path", e);
        }
        Path resolved = folder.resolve(relative).normalize();
        if (relative.isAbsolute() || !resolved.startsWith(folder)) {
            throw new IllegalArgumentException("'" + path + "' is outside the scripts folder; a schema file must be"
                    + " inside it, named relative to it, e.g. \"schemas/" + key + ".json\"");
        }
        if (!path.endsWith(".json")) {
            throw new IllegalArgumentException("'" + path + "' is not a .json file; a schema file holds JSON");
        }
        try {
            Path real = resolved.toRealPath();
            if (!real.startsWith(folder.toRealPath())) {
                throw new IllegalArgumentException("'" + path + "' leads outside the scripts folder (a symbolic link);"
                        + " a schema file must be inside it");
            }
            String text = Files.readString(real);
            try {
                return new Read(JsonSchema.compile(JsonSchema.parse(text)), real);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schema file " + path + ": " + e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("schema file '" + path + "' does not exist in the scripts folder " + folder, e);
        } catch (IOException e) {
            throw new ScriptProblem(script, line, "key '" + key + "': cannot read schema file '" + path + "': " + e, e);
        }
    }

    /** A TOML table as JSON: strings, numbers, booleans, tables and arrays; dates as their ISO text. */
    static ObjectNode toJson(TomlTable table) {
        ObjectNode object = NODES.objectNode();
        for (String key : table.keySet()) {
            object.set(key, toJson(table.get(java.util.List.of(key))));
        }
        return object;
    }

    private static JsonNode toJson(Object value) {
        return switch (value) {
            case TomlTable table -> toJson(table);
            case TomlArray array -> {
                ArrayNode list = NODES.arrayNode();
                for (int i = 0; i < array.size(); i++) {
                    list.add(toJson(array.get(i)));
                }
                yield list;
            }
            case String text -> NODES.textNode(text);
            case Long number -> NODES.numberNode(number);
            case Double number -> NODES.numberNode(number);
            case Boolean bool -> NODES.booleanNode(bool);
            default -> NODES.textNode(value.toString());
        };
    }
}
