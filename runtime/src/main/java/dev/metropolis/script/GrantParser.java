package dev.metropolis.script;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a header's {@code [allow]} table into {@link Grants}: each key a list of strings, each
 * problem reported at the key's own line with what the key expects.
 */
final class GrantParser {
    /** An example value of each {@code [allow]} key, for messages. */
    private static final Map<String, String> GRANT_EXAMPLES = Map.of(
            "subjects", "[\"inventory.*\", \"audit.>\"]",
            "http", "[\"https://api.example.com\"]",
            "env", "[\"TAX_RATE\"]",
            "secrets", "[\"payment_key\"]",
            "kv", "[\"carts\"]",
            "files", "[\"data/*.json\"]");

    private GrantParser() {}

    /** The {@code [allow]} table: each key a list of strings, each problem at its own line. */
    static Grants read(Path file, TomlTable toml, int tableLine, ToIntFunction<TomlPosition> fileLine) throws ScriptProblem {
        if (!(toml.get(List.of("allow")) instanceof TomlTable table)) {
            throw new ScriptProblem(file, tableLine, "key 'allow': expected a table of grants, e.g. [allow] followed"
                    + " by subjects = " + GRANT_EXAMPLES.get("subjects"));
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String key : table.keySet()) {
            int line = fileLine.applyAsInt(toml.inputPositionOf(List.of("allow", key)));
            if (!Grants.KEYS.contains(key)) {
                throw new ScriptProblem(file, line, unknownGrantMessage(key));
            }
            try {
                values.put(key, strings(table.get(List.of(key)), GRANT_EXAMPLES.get(key)));
                grants(values); // each key's values are checked as they are read
            } catch (IllegalArgumentException e) {
                throw new ScriptProblem(file, line, "key 'allow." + key + "': " + e.getMessage(), e);
            }
        }
        return grants(values);
    }

    private static Grants grants(Map<String, List<String>> values) {
        return new Grants(values.getOrDefault("subjects", List.of()),
                values.getOrDefault("http", List.of()).stream().map(Origin::parse).toList(),
                values.getOrDefault("env", List.of()), values.getOrDefault("secrets", List.of()),
                values.getOrDefault("kv", List.of()), values.getOrDefault("files", List.of()));
    }

    private static String unknownGrantMessage(String key) {
        String message = "unknown key 'allow." + key + "' (known grants: " + String.join(", ", Grants.KEYS) + ")";
        if (HeaderParser.isKey(key)) {
            message += "; keys after [allow] belong to it: move '" + key + "' above the [allow] line";
        } else {
            String closest = HeaderParser.closest(key, Grants.KEYS);
            if (closest != null) {
                message += "; did you mean '" + closest + "'?";
            }
        }
        return message;
    }

    private static List<String> strings(Object value, String example) {
        if (!(value instanceof TomlArray array)) {
            throw new IllegalArgumentException("expected a list of strings such as " + example + ", got " + HeaderParser.describe(value));
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof String string)) {
                throw new IllegalArgumentException("expected a list of strings such as " + example + ", got "
                        + HeaderParser.describe(array.get(i)) + " in it");
            }
            strings.add(string);
        }
        return strings;
    }
}
