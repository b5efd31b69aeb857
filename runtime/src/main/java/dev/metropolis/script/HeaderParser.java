package dev.metropolis.script;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Durations;
import dev.metropolis.task.Rate;
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
        KEYS.put("auth", (value, draft) -> draft.auth = auth(value));
        KEYS.put("rate", (value, draft) -> draft.rate = Rate.parse(string(value, "\"100/s\"")));
        KEYS.put("async", (value, draft) -> draft.async = bool(value, "true"));
        KEYS.put("stream_timeout", (value, draft) -> draft.streamTimeout = duration(value));
        KEYS.put("stream", (value, draft) -> draft.stream = string(value, "\"ORDERS\""));
        KEYS.put("durable", (value, draft) -> draft.durable = string(value, "\"billing\""));
        KEYS.put("max_deliver", (value, draft) -> draft.maxDeliver = integer(value, "5"));
        KEYS.put("backoff", (value, draft) -> draft.backoff = durations(value));
        KEYS.put("dead_letter", (value, draft) -> draft.deadLetter = string(value, "\"orders.dead\""));
        KEYS.put("schedule", (value, draft) -> draft.schedule = string(value, "\"*/5 * * * *\""));
        KEYS.put("every", (value, draft) -> draft.every = duration(value));
        KEYS.put("time_zone", (value, draft) -> draft.zone = zone(string(value, "\"Europe/Paris\"")));
        KEYS.put("input", HeaderParser::readBySchemaReader);
        KEYS.put("output", HeaderParser::readBySchemaReader);
        KEYS.put("allow", (value, draft) -> {
            throw new IllegalStateException("[allow] is read by GrantParser: its keys have lines of their own");
        });
    }

    /** The keys of stream and schedule triggers. */
    private static final java.util.Set<String> TRIGGER_KEYS = java.util.Set.of("stream", "durable", "max_deliver", "backoff",
            "dead_letter", "schedule", "every", "time_zone");

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
        return parse(file, source, language, List.of());
    }

    /**
     * Parses the header of a script whose subjects may come from elsewhere (a worker file's
     * decorators): a header without {@code subject} then takes {@code subjectsIfNone}.
     */
    public static Optional<ScriptHeader> parse(Path file, String source, Language language, List<String> subjectsIfNone)
            throws ScriptProblem {
        // Files.readString keeps a byte order mark; without this a header on line 1 would go unseen.
        String text = source.startsWith("\uFEFF") ? source.substring(1) : source;
        Optional<Block> block = findBlock(file, text.lines().toList(), language.commentPrefix());
        if (block.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(read(file, block.get(), subjectsIfNone));
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

    private static ScriptHeader read(Path file, Block block, List<String> subjectsIfNone) throws ScriptProblem {
        TomlParseResult toml = Toml.parse(block.toml());
        if (toml.hasErrors()) {
            TomlParseError error = toml.errors().getFirst();
            throw new ScriptProblem(file, block.fileLine(error.position()),
                    "the metropolis header is not valid TOML: " + error.getMessage(), error);
        }
        Draft draft = new Draft();
        Map<String, Integer> lines = new LinkedHashMap<>();
        // In line order, so the first problem reported is the first one in the file.
        for (String key : keysInLineOrder(toml)) {
            int line = block.fileLine(toml.inputPositionOf(List.of(key)));
            lines.put(key, line);
            KeyRule rule = KEYS.get(key);
            if (rule == null) {
                throw new ScriptProblem(file, line, unknownKeyMessage(key, toml.get(List.of(key))));
            }
            if (key.equals("allow")) {
                draft.allow = GrantParser.read(file, toml, line, position -> block.fileLine(position));
                continue;
            }
            if (key.equals("input") || key.equals("output")) {
                draft.schemas = draft.schemas.with(key, SchemaReader.read(file, key, toml.get(List.of(key)), line));
                validate(file, line, key, draft);
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
        checkTriggerKeys(file, lines);
        if (draft.subjects == null && draft.schedule == null && draft.every == null && !subjectsIfNone.isEmpty()) {
            return draft.build(subjectsIfNone);
        }
        if (draft.subjects == null && draft.schedule == null && draft.every == null) {
            throw new ScriptProblem(file, block.openingLine(),
                    "the metropolis header declares no 'subject'; add one, e.g. subject = \"orders.create\"");
        }
        if (draft.subjects != null && (lines.containsKey("schedule") || lines.containsKey("every"))) {
            throw new ScriptProblem(file, lines.get("subject"), "key 'subject': a scheduled task runs from its ticks,"
                    + " not from a subject; remove 'subject' (or 'schedule'/'every')");
        }
        return draft.build(draft.subjects == null ? List.of() : draft.subjects);
    }

    private static void readBySchemaReader(Object value, Draft draft) {
        throw new IllegalStateException("input and output are read by SchemaReader, which needs the script's file");
    }

    private static void validate(Path file, int line, String key, Draft draft) throws ScriptProblem {
        try {
            draft.validate();
        } catch (IllegalArgumentException e) {
            throw new ScriptProblem(file, line, "key '" + key + "': " + e.getMessage(), e);
        }
    }

    /** The keys that belong to a stream or a schedule, checked once every key is read, at the offending key's line. */
    private static void checkTriggerKeys(Path file, Map<String, Integer> lines) throws ScriptProblem {
        boolean stream = lines.containsKey("stream");
        boolean scheduled = lines.containsKey("schedule") || lines.containsKey("every");
        if (lines.containsKey("schedule") && lines.containsKey("every")) {
            throw new ScriptProblem(file, Math.max(lines.get("schedule"), lines.get("every")),
                    "a task has either 'schedule' (cron) or 'every' (an interval), not both; keep one");
        }
        if (stream && scheduled) {
            throw new ScriptProblem(file, lines.get(lines.containsKey("schedule") ? "schedule" : "every"),
                    "a task runs either from a 'stream' or on a schedule, not both; keep one");
        }
        for (String key : List.of("durable")) {
            if (lines.containsKey(key) && !stream) {
                throw new ScriptProblem(file, lines.get(key), "key '" + key + "' needs 'stream': add e.g. stream = \"ORDERS\"");
            }
        }
        for (String key : List.of("max_deliver", "backoff", "dead_letter")) {
            if (lines.containsKey(key) && !stream && !scheduled) {
                throw new ScriptProblem(file, lines.get(key), "key '" + key + "' applies to stream and scheduled tasks:"
                        + " add e.g. stream = \"ORDERS\" (a request/reply task's caller retries instead)");
            }
        }
        if (lines.containsKey("time_zone") && !lines.containsKey("schedule")) {
            throw new ScriptProblem(file, lines.get("time_zone"), "key 'time_zone' needs 'schedule': add e.g."
                    + " schedule = \"0 9 * * *\" ('every' counts from the epoch and has no time zone)");
        }
    }

    private static List<Duration> durations(Object value) {
        if (value instanceof String || value instanceof Long || value instanceof Double) {
            return List.of(duration(value));
        }
        if (!(value instanceof TomlArray array)) {
            throw new IllegalArgumentException("expected a list of durations such as [\"1s\", \"10s\", \"1m\"], got "
                    + describe(value));
        }
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            delays.add(duration(array.get(i)));
        }
        return delays;
    }

    private static java.time.ZoneId zone(String id) {
        try {
            return java.time.ZoneId.of(id);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("'" + id + "' is not a time zone; use a region such as \"Europe/Paris\""
                    + " or \"UTC\"", e);
        }
    }

    private static List<String> keysInLineOrder(TomlTable toml) {
        return toml.keySet().stream()
                .sorted(Comparator.comparingInt((String key) -> toml.inputPositionOf(List.of(key)).line()))
                .toList();
    }

    private static String unknownKeyMessage(String key, Object value) {
        String message = "unknown key '" + key + "' in the metropolis header";
        if (value instanceof TomlTable) {
            // "[limits]" and "limits.cpu = 1" both arrive as a table named "limits".
            message += "; besides the [allow], [input] and [output] tables the header takes plain keys only, no tables or dotted keys";
        }
        // The request/reply keys; the stream and schedule keys are found by "did you mean" and the README.
        message += " (known keys: " + String.join(", ", KEYS.keySet().stream().filter(known -> !TRIGGER_KEYS.contains(known))
                .toList()) + ")";
        String closest = closestKnownKey(key);
        return closest == null ? message : message + "; did you mean '" + closest + "'?";
    }

    /** The known key within two edits of {@code key} (typos, "max-pending", "Subject"), if any. */
    private static String closestKnownKey(String key) {
        return closest(key, KEYS.sequencedKeySet());
    }

    /** The word of {@code known} within two edits of {@code key}, if any. */
    /** Whether {@code key} is one of the header's own (top-level) keys. */
    static boolean isKey(String key) {
        return KEYS.containsKey(key);
    }

    static String closest(String key, java.util.Collection<String> known) {
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

    /** {@code auth = "public"}, {@code "required"}, or a list of {@code "scope:NAME"}. */
    private static AccessPolicy auth(Object value) {
        String expected = "\"public\", \"required\" or a list of scopes such as [\"scope:orders.write\"]";
        if (value instanceof String text) {
            if (!text.equals("public") && !text.equals("required")) {
                throw new IllegalArgumentException("expected " + expected + ", got " + describe(value)
                        + (text.startsWith(AccessPolicy.SCOPE_PREFIX) ? " (scopes go in a list: [" + describe(value) + "])" : ""));
            }
            return AccessPolicy.parse(text);
        }
        if (!(value instanceof TomlArray array) || array.isEmpty()) {
            throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
        }
        List<String> scopes = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            scopes.add(string(array.get(i), "\"scope:orders.write\""));
        }
        return AccessPolicy.scopes(scopes);
    }

    private static String string(Object value, String example) {
        if (value instanceof String string) {
            return string;
        }
        throw new IllegalArgumentException("expected a string such as " + example + ", got " + describe(value));
    }

    private static boolean bool(Object value, String example) {
        if (value instanceof Boolean bool) {
            return bool;
        }
        throw new IllegalArgumentException("expected true or false such as " + example + ", got " + describe(value));
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
    static String describe(Object value) {
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
        private AccessPolicy auth;
        private Rate rate;
        private boolean async;
        private Duration streamTimeout;
        private Grants allow = Grants.NONE;
        private TaskSchemas schemas = TaskSchemas.NONE;
        private String stream;
        private String durable = "";
        private int maxDeliver = Trigger.Retry.DEFAULT_MAX_DELIVER;
        private List<Duration> backoff = Trigger.Retry.DEFAULT.backoff();
        private String deadLetter = "";
        private String schedule;
        private Duration every;
        private java.time.ZoneId zone = Trigger.Schedule.DEFAULT_ZONE;

        /**
         * Runs ScriptHeader's own checks on the values so far, so there is one set of rules; a
         * placeholder subject stands in until the real one is read.
         */
        void validate() {
            build(subjects != null ? subjects : List.of("placeholder"));
        }

        ScriptHeader build(List<String> subjects) {
            if (streamTimeout != null && !(trigger() instanceof Trigger.Request)) {
                throw new IllegalArgumentException("stream_timeout applies to a task that answers requests with a"
                        + " stream; a stream or schedule task has no caller to stream to");
            }
            return streamTimeout == null
                    ? new ScriptHeader(subjects, queue, function, timeout, concurrency, maxPending, version, description,
                            http, allow, trigger(), auth, rate, async, schemas)
                    : new ScriptHeader(subjects, queue, function, timeout, concurrency, maxPending, version, description,
                            http, allow, trigger(), auth, rate, async, schemas, streamTimeout);
        }

        private Trigger trigger() {
            Trigger.Retry retry = new Trigger.Retry(maxDeliver, backoff, deadLetter);
            if (stream != null) {
                return new Trigger.Stream(stream, durable, retry);
            }
            if (schedule != null && every == null) {
                return new Trigger.Schedule(schedule, null, zone, retry);
            }
            if (every != null && schedule == null) {
                return new Trigger.Schedule("", every, zone, retry);
            }
            return Trigger.Request.INSTANCE; // both schedule and every: reported by checkTriggerKeys at the second one
        }
    }
}
