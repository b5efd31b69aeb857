package dev.metropolis.script;

import dev.metropolis.task.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads the {@code /// metropolis} header of a task script: a block of line comments holding TOML,
 * in the style of PEP 723 inline metadata.
 *
 * <pre>
 * # /// metropolis
 * # subject = "text.reverse"
 * # timeout = "5s"
 * # ///
 * </pre>
 *
 * Every problem is reported as a {@link ScriptProblem} at the line of the file the author must edit.
 */
public final class HeaderParser {

    private static final String OPENING = "/// metropolis";
    private static final String CLOSING = "///";

    /**
     * The keys a header may set, in the order error messages list them. Adding a key is one line here
     * plus a field in {@link Draft}; each rule converts the TOML value and stores it in the draft.
     */
    private static final SequencedMap<String, KeyRule> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("subject", (value, draft) -> draft.subjects = subjects(value));
        KEYS.put("queue", (value, draft) -> draft.queue = string(value, "\"workers\""));
        KEYS.put("function", (value, draft) -> draft.function = string(value, "\"handle\""));
        KEYS.put("timeout", (value, draft) -> draft.timeout = duration(value));
        KEYS.put("concurrency", (value, draft) -> draft.concurrency = integer(value, "4"));
        KEYS.put("max_pending", (value, draft) -> draft.maxPending = integer(value, "256"));
        KEYS.put("version", (value, draft) -> draft.version = string(value, "\"1.2.0\""));
        KEYS.put("description", (value, draft) -> draft.description = string(value, "\"Reverses text\""));
        KEYS.put("http", (value, draft) -> draft.http = string(value, "\"POST /reverse\""));
        KEYS.put("allow", (value, draft) -> {
            throw new IllegalStateException("[allow] is read by readGrants: its keys have lines of their own");
        });
    }

    /** An example value of each {@code [allow]} key, for messages. */
    private static final Map<String, String> GRANT_EXAMPLES = Map.of(
            "subjects", "[\"inventory.*\", \"audit.>\"]",
            "http", "[\"https://api.example.com\"]",
            "env", "[\"TAX_RATE\"]",
            "secrets", "[\"payment_key\"]",
            "kv", "[\"carts\"]",
            "files", "[\"data/*.json\"]");

    private HeaderParser() {
    }

    /**
     * Parses the header of a script.
     *
     * @param file     the script, used only in problem reports
     * @param source   the script's text
     * @param language decides the comment marker of header lines
     * @return the header, or empty when the script has no {@code /// metropolis} block
     * @throws ScriptProblem when the block is malformed or declares something invalid
     */
    public static Optional<ScriptHeader> parse(Path file, String source, Language language) throws ScriptProblem {
        // Files.readString keeps a byte order mark; without this a header on line 1 would go unseen.
        String text = source.startsWith("\uFEFF") ? source.substring(1) : source;
        Optional<Block> block = findBlock(file, text.lines().toList(), language.commentPrefix());
        if (block.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(read(file, block.get()));
    }

    // ---- finding the block -------------------------------------------------------------------------

    /**
     * The TOML inside the header, with the 1-based file line of the opening line: TOML line n is file
     * line {@code openingLine + n}.
     */
    private record Block(int openingLine, String toml) {
        int fileLine(TomlPosition position) {
            return openingLine + position.line();
        }
    }

    private static Optional<Block> findBlock(Path file, List<String> lines, String prefix) throws ScriptProblem {
        int opening = findOpening(lines, prefix, 0);
        if (opening < 0) {
            return Optional.empty();
        }
        int openingLine = opening + 1;
        StringBuilder toml = new StringBuilder();
        int i = opening + 1;
        for (; i < lines.size() && !isMarker(lines.get(i), prefix, CLOSING); i++) {
            if (isMarker(lines.get(i), prefix, OPENING)) {
                throw new ScriptProblem(file, i + 1, "a new metropolis header starts here but the one opened at line "
                        + openingLine + " is not closed; add a line \"" + prefix + " " + CLOSING
                        + "\" before this one");
            }
            toml.append(content(file, lines.get(i), i + 1, prefix, openingLine)).append('\n');
        }
        if (i == lines.size()) {
            throw new ScriptProblem(file, openingLine, "the metropolis header opened here is never closed;"
                    + " add a line \"" + prefix + " " + CLOSING + "\" after its last key");
        }
        int second = findOpening(lines, prefix, i + 1);
        if (second >= 0) {
            throw new ScriptProblem(file, second + 1, "a second metropolis header starts here (the first is at line "
                    + openingLine + "); a script has one header, so merge the two");
        }
        return Optional.of(new Block(openingLine, toml.toString()));
    }

    /** Index of the first opening line at or after {@code from}, or -1. */
    private static int findOpening(List<String> lines, String prefix, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (isMarker(lines.get(i), prefix, OPENING)) {
                return i;
            }
        }
        return -1;
    }

    /** Opening and closing lines start at column 1 (no indentation) but may carry trailing blanks. */
    private static boolean isMarker(String line, String prefix, String marker) {
        return line.stripTrailing().equals(prefix + " " + marker);
    }

    /** The TOML text of one header line: the line without its comment marker and the one space after it. */
    private static String content(Path file, String line, int lineNumber, String prefix, int openingLine)
            throws ScriptProblem {
        if (line.startsWith(prefix + " ")) {
            return line.substring(prefix.length() + 1);
        }
        if (line.stripTrailing().equals(prefix)) {
            return "";
        }
        throw new ScriptProblem(file, lineNumber, "this line is inside the metropolis header opened at line "
                + openingLine + " but does not start with \"" + prefix + " \" (the comment marker and one space);"
                + " add \"" + prefix + " \" in front of it, or close the header above it with \"" + prefix + " "
                + CLOSING + "\"");
    }

    // ---- reading the keys --------------------------------------------------------------------------

    private static ScriptHeader read(Path file, Block block) throws ScriptProblem {
        TomlParseResult toml = Toml.parse(block.toml());
        if (toml.hasErrors()) {
            TomlParseError error = toml.errors().getFirst();
            throw new ScriptProblem(file, block.fileLine(error.position()),
                    "the metropolis header is not valid TOML: " + error.getMessage(), error);
        }
        Draft draft = new Draft();
        // In line order, so the first problem reported is the first one in the file.
        for (String key : keysInLineOrder(toml)) {
            int line = block.fileLine(toml.inputPositionOf(List.of(key)));
            KeyRule rule = KEYS.get(key);
            if (rule == null) {
                throw new ScriptProblem(file, line, unknownKeyMessage(key, toml.get(List.of(key))));
            }
            if (key.equals("allow")) {
                draft.allow = readGrants(file, block, toml, line);
                continue;
            }
            try {
                rule.apply(toml.get(List.of(key)), draft);
                // Earlier keys already passed, so a rejection here is this key's fault.
                draft.validate();
            } catch (IllegalArgumentException e) {
                throw new ScriptProblem(file, line, "key '" + key + "': " + e.getMessage(), e);
            }
        }
        if (draft.subjects == null) {
            throw new ScriptProblem(file, block.openingLine(),
                    "the metropolis header declares no 'subject'; add one, e.g. subject = \"orders.create\"");
        }
        return draft.build(draft.subjects);
    }

    private static List<String> keysInLineOrder(TomlTable toml) {
        return toml.keySet().stream()
                .sorted(Comparator.comparingInt((String key) -> toml.inputPositionOf(List.of(key)).line()))
                .toList();
    }

    /** The {@code [allow]} table: each key a list of strings, each problem at its own line. */
    private static Grants readGrants(Path file, Block block, TomlTable toml, int tableLine) throws ScriptProblem {
        if (!(toml.get(List.of("allow")) instanceof TomlTable table)) {
            throw new ScriptProblem(file, tableLine, "key 'allow': expected a table of grants, e.g. [allow] followed"
                    + " by subjects = " + GRANT_EXAMPLES.get("subjects"));
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String key : table.keySet()) {
            int line = block.fileLine(toml.inputPositionOf(List.of("allow", key)));
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
        if (KEYS.containsKey(key)) {
            message += "; keys after [allow] belong to it: move '" + key + "' above the [allow] line";
        } else {
            String closest = closest(key, Grants.KEYS);
            if (closest != null) {
                message += "; did you mean '" + closest + "'?";
            }
        }
        return message;
    }

    private static List<String> strings(Object value, String example) {
        if (!(value instanceof TomlArray array)) {
            throw new IllegalArgumentException("expected a list of strings such as " + example + ", got " + describe(value));
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof String string)) {
                throw new IllegalArgumentException("expected a list of strings such as " + example + ", got "
                        + describe(array.get(i)) + " in it");
            }
            strings.add(string);
        }
        return strings;
    }

    private static String unknownKeyMessage(String key, Object value) {
        String message = "unknown key '" + key + "' in the metropolis header";
        if (value instanceof TomlTable) {
            // "[limits]" and "limits.cpu = 1" both arrive as a table named "limits".
            message += "; besides the [allow] table the header takes plain keys only, no tables or dotted keys";
        }
        message += " (known keys: " + String.join(", ", KEYS.keySet()) + ")";
        String closest = closestKnownKey(key);
        return closest == null ? message : message + "; did you mean '" + closest + "'?";
    }

    /** The known key within two edits of {@code key} (typos, "max-pending", "Subject"), if any. */
    private static String closestKnownKey(String key) {
        return closest(key, KEYS.sequencedKeySet());
    }

    /** The word of {@code known} within two edits of {@code key}, if any. */
    private static String closest(String key, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = editDistance(key.toLowerCase(Locale.ROOT), candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance, with one row of the table kept at a time. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    // ---- converting values -------------------------------------------------------------------------

    /**
     * Converts one key's TOML value and stores it in the draft; throws IllegalArgumentException saying
     * what form was expected and what was found (the caller adds the key and its line).
     */
    @FunctionalInterface
    private interface KeyRule {
        void apply(Object value, Draft draft);
    }

    private static List<String> subjects(Object value) {
        if (value instanceof String subject) {
            ScriptHeader.checkSubject(subject);
            return List.of(subject);
        }
        if (!(value instanceof TomlArray array) || array.isEmpty()) {
            throw new IllegalArgumentException("expected a subject such as \"orders.create\""
                    + " or a non-empty list of subjects, got " + describe(value));
        }
        // Problems in a list are reported at the key's line: tomlj 1.1.1 places list elements one
        // line early when the list spans lines, so their own positions cannot be trusted.
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof String subject)) {
                throw new IllegalArgumentException("expected every subject to be a string such as"
                        + " \"orders.create\", got " + describe(array.get(i)));
            }
            ScriptHeader.checkSubject(subject);
            subjects.add(subject);
        }
        return subjects;
    }

    private static String string(Object value, String example) {
        if (value instanceof String string) {
            return string;
        }
        throw new IllegalArgumentException("expected a string such as " + example + ", got " + describe(value));
    }

    private static int integer(Object value, String example) {
        if (!(value instanceof Long number)) {
            throw new IllegalArgumentException(
                    "expected a whole number such as " + example + ", got " + describe(value));
        }
        if (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expected a whole number such as " + example + ", got " + number
                    + ", which is out of range");
        }
        return number.intValue();
    }

    /** "250ms", "5s", "1.5s", "2m", "1h", or a bare number of seconds (5, 0.25). */
    private static Duration duration(Object value) {
        return switch (value) {
            case String text -> Durations.parse(text, describe(value));
            case Long seconds -> Durations.ofSeconds(BigDecimal.valueOf(seconds), describe(value));
            case Double seconds when Double.isFinite(seconds) -> Durations.ofSeconds(BigDecimal.valueOf(seconds), describe(value));
            default -> throw new IllegalArgumentException("expected a duration such as \"5s\" or \"250ms\", got "
                    + describe(value) + " (units: ms, s, m, h; a bare number means seconds)");
        };
    }

    /** How a TOML value reads in an error message: strings quoted as in the header, others by kind. */
    private static String describe(Object value) {
        return switch (value) {
            case String string -> "\"" + Toml.tomlEscape(string) + "\"";
            case TomlArray array -> array.isEmpty() ? "an empty list" : "a list";
            case TomlTable table -> "a table";
            case Boolean bool -> bool.toString();
            case Number number -> number.toString();
            default -> "a date/time " + value;
        };
    }

    // ---- the header under construction -------------------------------------------------------------

    /** The values read so far, starting at the defaults. */
    private static final class Draft {
        private List<String> subjects;
        private String queue = ScriptHeader.DEFAULT_QUEUE;
        private String function = ScriptHeader.DEFAULT_FUNCTION;
        private Duration timeout = ScriptHeader.DEFAULT_TIMEOUT;
        private int concurrency = ScriptHeader.DEFAULT_CONCURRENCY;
        private int maxPending = ScriptHeader.DEFAULT_MAX_PENDING;
        private String version = ScriptHeader.DEFAULT_VERSION;
        private String description = "";
        private String http = "";
        private Grants allow = Grants.NONE;

        /**
         * Runs ScriptHeader's own checks on the values so far, so there is one set of rules; a
         * placeholder subject stands in until the real one is read.
         */
        void validate() {
            build(subjects != null ? subjects : List.of("placeholder"));
        }

        ScriptHeader build(List<String> subjects) {
            return new ScriptHeader(subjects, queue, function, timeout, concurrency, maxPending, version, description, http,
                    allow);
        }
    }
}
