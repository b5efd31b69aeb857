package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderParserTest {

    private static final Path PY = Path.of("tasks/reverse.py");
    private static final Path JS = Path.of("tasks/add.js");

    // ---- valid headers -----------------------------------------------------------------------------

    @Test
    void readsEveryKeyOfAPythonHeader() throws ScriptProblem {
        String source = """
                # /// metropolis
                # subject = "text.reverse"
                # queue = "workers"
                # function = "reverse"
                # timeout = "5s"
                # concurrency = 2
                # max_pending = 10
                # version = "1.2.0"
                # description = "Reverses text"
                # ///
                def reverse(body, msg):
                    return body[::-1]
                """;

        ScriptHeader header = HeaderParser.parse(PY, source, Language.PYTHON).orElseThrow();

        assertThat(header).isEqualTo(new ScriptHeader(List.of("text.reverse"), "workers", "reverse",
                Duration.ofSeconds(5), 2, 10, "1.2.0", "Reverses text", ""));
    }

    @Test
    void readsEveryKeyOfAJavaScriptHeader() throws ScriptProblem {
        String source = """
                // /// metropolis
                // subject = ["math.add", "math.sum"]
                // queue = "adders"
                // function = "add"
                // timeout = "250ms"
                // concurrency = 8
                // max_pending = 0
                // version = "0.3.1-beta.1"
                // description = "Adds numbers"
                // http = "POST /add"
                // ///
                export function add(body, msg) { return body; }
                """;

        ScriptHeader header = HeaderParser.parse(JS, source, Language.JAVASCRIPT).orElseThrow();

        assertThat(header).isEqualTo(new ScriptHeader(List.of("math.add", "math.sum"), "adders", "add",
                Duration.ofMillis(250), 8, 0, "0.3.1-beta.1", "Adds numbers", "POST /add"));
    }

    @Test
    void fillsInDefaultsForEverythingButTheSubject() throws ScriptProblem {
        ScriptHeader header = parsePy(py("subject = \"text.reverse\""));

        assertThat(header.subjects()).containsExactly("text.reverse");
        assertThat(header.queue()).isEqualTo(ScriptHeader.DEFAULT_QUEUE);
        assertThat(header.function()).isEqualTo(ScriptHeader.DEFAULT_FUNCTION);
        assertThat(header.timeout()).isEqualTo(ScriptHeader.DEFAULT_TIMEOUT);
        assertThat(header.concurrency()).isEqualTo(ScriptHeader.DEFAULT_CONCURRENCY);
        assertThat(header.maxPending()).isEqualTo(ScriptHeader.DEFAULT_MAX_PENDING);
        assertThat(header.version()).isEqualTo(ScriptHeader.DEFAULT_VERSION);
        assertThat(header.description()).isEmpty();
    }

    @Test
    void acceptsAListOfSubjectsWithWildcardsOverSeveralLines() throws ScriptProblem {
        ScriptHeader header = parsePy(py(
                "subject = [",
                "  \"orders.create\",",
                "  \"orders.*.cancel\",",
                "  \"audit.>\",",
                "]"));

        assertThat(header.subjects()).containsExactly("orders.create", "orders.*.cancel", "audit.>");
    }

    @Test
    void acceptsBlankCommentLinesTrailingBlanksCommentsAndCrlf() throws ScriptProblem {
        String source = "# /// metropolis  \r\n"
                + "#\r\n"
                + "# subject = \"a.b\"   # served by the reverse task\r\n"
                + "# \r\n"
                + "# ///\t\r\n"
                + "def handle(body, msg): ...\r\n";

        assertThat(parsePy(source).subjects()).containsExactly("a.b");
    }

    @Test
    void findsTheHeaderBelowAShebangAndADocstring() throws ScriptProblem {
        String source = """
                #!/usr/bin/env python3
                \"""Reverses text.

                Served by Metropolis.
                \"""
                # /// metropolis
                # subject = "text.reverse"
                # concurrency = 3
                # ///
                def handle(body, msg): ...
                """;

        assertThat(parsePy(source).concurrency()).isEqualTo(3);
    }

    @Test
    void findsAJavaScriptHeaderBelowOtherCode() throws ScriptProblem {
        String source = """
                "use strict";
                // Adds two numbers.
                // /// metropolis
                // subject = "math.add"
                // ///
                export function handle(body, msg) { return body; }
                """;

        assertThat(HeaderParser.parse(JS, source, Language.JAVASCRIPT).orElseThrow().subjects())
                .containsExactly("math.add");
    }

    @Test
    void ignoresAByteOrderMark() throws ScriptProblem {
        assertThat(parsePy("\uFEFF" + py("subject = \"a.b\"")).subjects()).containsExactly("a.b");
    }

    // ---- no header ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "def handle(body, msg): ...\n",
        "",
        "#/// metropolis\n#subject = \"a.b\"\n#///\n",          // no space after the marker
        "  # /// metropolis\n  # subject = \"a.b\"\n  # ///\n",  // indented: not at the start of a line
        "// /// metropolis\n// subject = \"a.b\"\n// ///\n",     // JavaScript comments in a Python file
        "# /// script\n# dependencies = []\n# ///\n",            // another tool's block
        "x = 1  # /// metropolis\n",
    })
    void aScriptWithoutAMetropolisBlockHasNoHeader(String source) throws ScriptProblem {
        assertThat(HeaderParser.parse(PY, source, Language.PYTHON)).isEqualTo(Optional.empty());
    }

    // ---- durations ---------------------------------------------------------------------------------

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of("\"250ms\"", Duration.ofMillis(250)),
                Arguments.of("\"5s\"", Duration.ofSeconds(5)),
                Arguments.of("\"1.5s\"", Duration.ofMillis(1500)),
                Arguments.of("\"0.5ms\"", Duration.ofNanos(500_000)),
                Arguments.of("\"2m\"", Duration.ofMinutes(2)),
                Arguments.of("\"1h\"", Duration.ofHours(1)),
                Arguments.of("\"90m\"", Duration.ofMinutes(90)),
                Arguments.of("5", Duration.ofSeconds(5)),
                Arguments.of("0.25", Duration.ofMillis(250)));
    }

    @ParameterizedTest(name = "timeout = {0}")
    @MethodSource("durations")
    void readsDurations(String toml, Duration expected) throws ScriptProblem {
        assertThat(parsePy(py("subject = \"a.b\"", "timeout = " + toml)).timeout()).isEqualTo(expected);
    }

    // ---- problems with the block itself ------------------------------------------------------------

    @Test
    void anUnclosedHeaderIsReportedAtItsOpeningLine() {
        String source = """
                #!/usr/bin/env python3
                # /// metropolis
                # subject = "a.b"
                """;

        ScriptProblem problem = problem(source);

        assertThat(problem.file()).isEqualTo(PY);
        assertThat(problem.line()).isEqualTo(2);
        assertThat(problem.detail()).contains("never closed").contains("\"# ///\"");
    }

    @Test
    void aCodeLineInsideTheHeaderIsReportedAtThatLine() {
        String source = """
                # /// metropolis
                # subject = "a.b"
                def handle(body, msg): ...
                # ///
                """;

        ScriptProblem problem = problem(source);

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("opened at line 1").contains("\"# \"").contains("\"# ///\"");
    }

    @Test
    void anEmptyLineInsideTheHeaderIsReported() {
        assertThat(problem("# /// metropolis\n# subject = \"a.b\"\n\n# ///\n").line()).isEqualTo(3);
    }

    @Test
    void aHeaderLineWithoutTheSpaceAfterTheMarkerIsReported() {
        ScriptProblem problem = problem("# /// metropolis\n# subject = \"a.b\"\n#queue = \"q\"\n# ///\n");

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("one space");
    }

    @Test
    void aJavaScriptHeaderLineMustUseSlashes() {
        String source = "// /// metropolis\n// subject = \"a.b\"\n# queue = \"q\"\n// ///\n";

        ScriptProblem problem = problem(JS, source, Language.JAVASCRIPT);

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("\"// \"").contains("\"// ///\"");
    }

    @Test
    void aSecondHeaderIsReportedAtItsOpeningLine() {
        String source = py("subject = \"a.b\"") + "\n" + py("subject = \"c.d\"");

        ScriptProblem problem = problem(source);

        assertThat(problem.line()).isEqualTo(6);
        assertThat(problem.detail()).contains("second metropolis header").contains("line 1");
    }

    @Test
    void anOpeningLineInsideAnOpenHeaderIsReported() {
        ScriptProblem problem = problem("# /// metropolis\n# subject = \"a.b\"\n# /// metropolis\n# ///\n");

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("opened at line 1 is not closed");
    }

    // ---- TOML syntax -------------------------------------------------------------------------------

    @Test
    void aTomlSyntaxErrorIsReportedAtTheFileLine() {
        String source = """
                #!/usr/bin/env python3
                # /// metropolis
                # subject = "a.b"
                #
                # queue = "workers
                # ///
                """;

        ScriptProblem problem = problem(source);

        assertThat(problem.line()).isEqualTo(5);
        assertThat(problem.detail()).startsWith("the metropolis header is not valid TOML: ").contains("expected");
    }

    @Test
    void aRepeatedKeyIsReportedAtItsSecondLine() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "queue = \"x\"", "queue = \"y\""));

        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).contains("not valid TOML").contains("queue");
    }

    @Test
    void anIntegerTooLargeForTomlIsReportedAtItsLine() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "max_pending = 99999999999999999999"));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("too large");
    }

    // ---- keys --------------------------------------------------------------------------------------

    @Test
    void aMissingSubjectIsReportedAtTheOpeningLine() {
        ScriptProblem problem = problem("import os\n" + py("queue = \"workers\""));

        assertThat(problem.line()).isEqualTo(2);
        assertThat(problem.detail()).isEqualTo(
                "the metropolis header declares no 'subject'; add one, e.g. subject = \"orders.create\"");
    }

    @Test
    void anUnknownKeyIsReportedWithTheKnownKeysAndTheClosestOne() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "timout = \"5s\""));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).isEqualTo("unknown key 'timout' in the metropolis header (known keys: subject,"
                + " queue, function, timeout, concurrency, max_pending, version, description, http, auth, rate, async,"
                + " stream_timeout, input, output, allow); did you mean 'timeout'?");
    }

    @Test
    void streamTimeoutBoundsAWholeStreamAndDefaultsToFiveMinutesOrTheTimeout() throws Exception {
        assertThat(parsePy(py("subject = \"a.b\"", "stream_timeout = \"90s\"")).streamTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(parsePy(py("subject = \"a.b\"")).streamTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(parsePy(py("subject = \"a.b\"", "timeout = \"10m\"")).streamTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aStreamTimeoutShorterThanTheTimeoutIsRefusedAtItsLine() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "timeout = \"30s\"", "stream_timeout = \"5s\""));
        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).isEqualTo("key 'stream_timeout': stream_timeout (5s) is shorter than timeout (30s),"
                + " which already bounds the wait for the first chunk; make stream_timeout at least the timeout");
    }

    @Test
    void aStreamTimeoutOnAStreamTaskIsRefused() {
        ScriptProblem problem = problem(py("stream = \"ORDERS\"", "subject = \"orders.new\"", "stream_timeout = \"1m\""));
        assertThat(problem.detail()).contains("stream_timeout applies to a task that answers requests");
    }

    @ParameterizedTest
    @ValueSource(strings = {"max-pending", "maxPending", "Subject", "concurency"})
    void suggestsTheKeyForCommonMisspellings(String misspelt) {
        ScriptProblem problem = problem(py("subject = \"a.b\"", misspelt + " = 1"));

        assertThat(problem.detail())
                .contains("unknown key '" + misspelt + "'")
                .containsPattern("did you mean '\\w+'\\?");
    }

    @Test
    void suggestsNothingWhenNoKnownKeyIsClose() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "retries = 3"));

        assertThat(problem.detail()).contains("unknown key 'retries'").doesNotContain("did you mean");
    }

    @Test
    void aDottedKeyIsAnUnknownKey() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "limits.memory = 5"));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("unknown key 'limits'").contains("no tables or dotted keys");
    }

    @Test
    void aTableIsAnUnknownKey() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "", "[limits]", "memory = 5"));

        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).contains("unknown key 'limits'").contains("no tables or dotted keys");
    }

    @Test
    void theFirstBadKeyInTheFileIsReported() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "concurrency = 0", "timout = 1"));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).startsWith("key 'concurrency'");
    }

    /** Each case: a header line (placed at file line 5 by the test) and how its message starts. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("queue = 5", "key 'queue': expected a string such as \"workers\", got 5"),
                Arguments.of("queue = \"two words\"", "key 'queue': queue group 'two words' is not a valid"),
                Arguments.of("function = true", "key 'function': expected a string such as \"handle\", got true"),
                Arguments.of("function = \"1st\"", "key 'function': function '1st' is not a valid identifier"),
                Arguments.of("http = \"FETCH /x\"", "key 'http': http route 'FETCH /x' is not \"METHOD /path\""),
                Arguments.of("http = \"reverse\"", "key 'http': http route 'reverse' is not \"METHOD /path\""),
                Arguments.of("timeout = \"5 parsecs\"",
                        "key 'timeout': expected a duration such as \"5s\" or \"250ms\", got \"5 parsecs\""),
                Arguments.of("timeout = \"5\"", "key 'timeout': expected a duration such as"),
                Arguments.of("timeout = \"5S\"", "key 'timeout': expected a duration such as"),
                Arguments.of("timeout = true",
                        "key 'timeout': expected a duration such as \"5s\" or \"250ms\", got true"),
                Arguments.of("timeout = \"-5s\"", "key 'timeout': expected a duration longer than zero, got \"-5s\""),
                Arguments.of("timeout = -1", "key 'timeout': expected a duration longer than zero, got -1"),
                Arguments.of("timeout = \"0ms\"", "key 'timeout': expected a duration longer than zero"),
                Arguments.of("timeout = 0", "key 'timeout': expected a duration longer than zero"),
                Arguments.of("timeout = nan", "key 'timeout': expected a duration such as"),
                Arguments.of("timeout = \"9999999999999h\"", "key 'timeout': expected a duration of at most"),
                Arguments.of("concurrency = 0", "key 'concurrency': concurrency must be between 1 and 1024, got 0"),
                Arguments.of("concurrency = 2000", "key 'concurrency': concurrency must be between 1 and 1024"),
                Arguments.of("concurrency = \"2\"", "key 'concurrency': expected a whole number such as 4, got \"2\""),
                Arguments.of("concurrency = 2.5", "key 'concurrency': expected a whole number such as 4, got 2.5"),
                Arguments.of("concurrency = 3000000000", "key 'concurrency': expected a whole number such as 4,"
                        + " got 3000000000, which is out of range"),
                Arguments.of("max_pending = -1", "key 'max_pending': max_pending must be between 0 and 1000000"),
                Arguments.of("max_pending = -3000000000", "key 'max_pending': expected a whole number such as 256,"
                        + " got -3000000000, which is out of range"),
                Arguments.of("max_pending = []", "key 'max_pending': expected a whole number such as 256,"
                        + " got an empty list"),
                Arguments.of("version = 1.0", "key 'version': expected a string such as \"1.2.0\", got 1.0"),
                Arguments.of("version = \"1.0\"", "key 'version': version '1.0' is not a semantic version"),
                Arguments.of("description = 3", "key 'description': expected a string such as"),
                Arguments.of("description = { text = \"x\" }", "key 'description': expected a string such as"
                        + " \"Reverses text\", got a table"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsReportedAtItsKeysLine(String line, String message) {
        ScriptProblem problem = problem("#!/usr/bin/env python3\n" + py("subject = \"a.b\"", "", line));

        assertThat(problem.line()).isEqualTo(5);
        assertThat(problem.detail()).startsWith(message);
        assertThat(problem.getMessage()).startsWith(PY + ":5: key '");
    }

    static Stream<Arguments> badSubjects() {
        return Stream.of(
                Arguments.of("subject = 5", "expected a subject such as \"orders.create\" or a non-empty list"
                        + " of subjects, got 5"),
                Arguments.of("subject = []", "expected a subject such as \"orders.create\" or a non-empty list"
                        + " of subjects, got an empty list"),
                Arguments.of("subject = \"orders..create\"", "subject 'orders..create' is not a valid NATS subject"),
                Arguments.of("subject = \"a.>.b\"", "subject 'a.>.b' is not a valid NATS subject"),
                Arguments.of("subject = \"\"", "subject '' is not a valid NATS subject"),
                Arguments.of("subject = [\"a.b\", 7]", "expected every subject to be a string such as"
                        + " \"orders.create\", got 7"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSubjects")
    void aBadSubjectIsReportedAtItsLine(String line, String message) {
        ScriptProblem problem = problem(py("queue = \"q\"", line));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).startsWith("key 'subject': " + message);
    }

    @Test
    void aBadSubjectInAMultiLineListIsReportedAtTheKeysLine() {
        ScriptProblem problem = problem(py(
                "subject = [",
                "  \"orders.create\",",
                "  \"orders create\",",
                "]"));

        assertThat(problem.line()).isEqualTo(2);
        assertThat(problem.detail()).startsWith("key 'subject': subject 'orders create' is not a valid NATS subject");
    }

    @Test
    void errorsInAJavaScriptHeaderAreReportedAtTheFileLine() {
        String source = """
                "use strict";
                // /// metropolis
                // subject = "math.add"
                // concurrency = -2
                // ///
                """;

        ScriptProblem problem = problem(JS, source, Language.JAVASCRIPT);

        assertThat(problem.file()).isEqualTo(JS);
        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).startsWith("key 'concurrency': ");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A Python script whose header holds these TOML lines: TOML line n is file line n + 1. */
    private static String py(String... tomlLines) {
        return "# /// metropolis\n"
                + Stream.of(tomlLines)
                        .map(line -> line.isEmpty() ? "#\n" : "# " + line + "\n")
                        .collect(Collectors.joining())
                + "# ///\n"
                + "def handle(body, msg): ...\n";
    }

    private static ScriptHeader parsePy(String source) throws ScriptProblem {
        return HeaderParser.parse(PY, source, Language.PYTHON).orElseThrow();
    }

    private static ScriptProblem problem(String source) {
        return problem(PY, source, Language.PYTHON);
    }

    private static ScriptProblem problem(Path file, String source, Language language) {
        try {
            Optional<ScriptHeader> header = HeaderParser.parse(file, source, language);
            throw new AssertionError("expected a ScriptProblem, got " + header);
        } catch (ScriptProblem problem) {
            return problem;
        }
    }

    // ---- [allow]: grants -------------------------------------------------------------------------

    @Test
    void readsEveryGrant() throws ScriptProblem {
        ScriptHeader header = HeaderParser.parse(PY, py("subject = \"orders.checkout\"", "",
                "[allow]",
                "subjects = [\"inventory.*\", \"audit.>\"]",
                "http = [\"https://api.example.com\", \"http://127.0.0.1:8081\", \"https://*.example.org\"]",
                "env = [\"TAX_RATE\"]",
                "secrets = [\"payment_key\"]",
                "kv = [\"carts\"]"), Language.PYTHON).orElseThrow();

        Grants allow = header.allow();
        assertThat(allow.subjects()).containsExactly("inventory.*", "audit.>");
        assertThat(allow.http()).extracting(Origin::toString)
                .containsExactly("https://api.example.com", "http://127.0.0.1:8081", "https://*.example.org");
        assertThat(allow.env()).containsExactly("TAX_RATE");
        assertThat(allow.secrets()).containsExactly("payment_key");
        assertThat(allow.kv()).containsExactly("carts");
        assertThat(allow.allowsSubject("inventory.reserve")).isTrue();
        assertThat(allow.allowsSubject("inventory.reserve.now")).isFalse();
        assertThat(allow.allowsSubject("audit.orders.created")).isTrue();
        assertThat(allow.allowsSubject("payments.charge")).isFalse();
        assertThat(allow.allowsUrl(java.net.URI.create("https://api.example.com/v1/rates"))).isTrue();
        assertThat(allow.allowsUrl(java.net.URI.create("https://api.example.com:8443/v1"))).isFalse();
        assertThat(allow.allowsUrl(java.net.URI.create("http://api.example.com/v1"))).isFalse();
        assertThat(allow.allowsUrl(java.net.URI.create("https://eu.example.org/x"))).isTrue();
        assertThat(allow.allowsUrl(java.net.URI.create("https://example.org/x"))).isFalse();
        assertThat(allow.allowsUrl(java.net.URI.create("http://127.0.0.1:8081/"))).isTrue();
    }

    @Test
    void withoutAnAllowTableNothingIsGranted() throws ScriptProblem {
        ScriptHeader header = HeaderParser.parse(PY, py("subject = \"a.b\""), Language.PYTHON).orElseThrow();

        assertThat(header.allow()).isEqualTo(Grants.NONE);
        assertThat(header.allow().allowsSubject("a.b")).isFalse();
    }

    @Test
    void anUnknownGrantIsReportedAtItsLineWithTheKnownOnes() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "[allow]", "subject = [\"x.y\"]"));

        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).isEqualTo("unknown key 'allow.subject' (known grants: subjects, http, env,"
                + " secrets, kv, files); keys after [allow] belong to it: move 'subject' above the [allow] line");
    }

    @Test
    void dataFilesAreGrantedAsGlobsInsideTheFolder() throws Exception {
        ScriptHeader header = HeaderParser.parse(Path.of("t.py"), py("subject = \"a.b\"", "[allow]",
                "files = [\"data/*.json\"]"), Language.PYTHON).orElseThrow();

        assertThat(header.allow().files()).containsExactly("data/*.json");
        assertThat(header.allow().allowsFile(Path.of("data/rates.json"))).isTrue();
        assertThat(header.allow().allowsFile(Path.of("data/rates.txt"))).isFalse();
        assertThat(header.allow().byKey()).containsEntry("files", java.util.List.of("data/*.json"));
    }

    @Test
    void aFileGrantOutsideTheFolderIsReportedAtItsLine() {
        ScriptProblem absolute = problem(py("subject = \"a.b\"", "[allow]", "files = [\"/etc/*.conf\"]"));
        ScriptProblem up = problem(py("subject = \"a.b\"", "[allow]", "files = [\"../other/*.json\"]"));

        assertThat(absolute.line()).isEqualTo(4);
        assertThat(absolute.detail()).startsWith("key 'allow.files': '/etc/*.conf' is not a path relative to the scripts folder");
        assertThat(up.detail()).contains("leaves the scripts folder");
    }

    @Test
    void aMisspeltFileGrantGetsASuggestion() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "[allow]", "file = [\"data/x.json\"]"));

        assertThat(problem.detail()).endsWith("did you mean 'files'?");
    }

    @Test
    void aMisspeltGrantGetsASuggestion() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "[allow]", "secret = [\"k\"]"));

        assertThat(problem.detail()).contains("unknown key 'allow.secret'").endsWith("did you mean 'secrets'?");
    }

    /** Each case: a grant line (at file line 4) and how its message starts. */
    static Stream<Arguments> badGrants() {
        return Stream.of(
                Arguments.of("subjects = \"x.y\"", "key 'allow.subjects': expected a list of strings such as"
                        + " [\"inventory.*\", \"audit.>\"], got \"x.y\""),
                Arguments.of("subjects = [\"a..b\"]", "key 'allow.subjects': subject 'a..b' is not a valid NATS subject"),
                Arguments.of("subjects = [1]", "key 'allow.subjects': expected a list of strings such as"),
                Arguments.of("http = [\"ftp://files.example.com\"]", "key 'allow.http': 'ftp://files.example.com': only http and https"),
                Arguments.of("http = [\"https://api.example.com/v1\"]", "key 'allow.http': 'https://api.example.com/v1' is not an origin"),
                Arguments.of("http = [\"http://127.0.0.1:99999\"]", "key 'allow.http': 'http://127.0.0.1:99999': the port must be"),
                Arguments.of("env = [\"TAX-RATE\"]", "key 'allow.env': 'TAX-RATE' is not an environment variable name"),
                Arguments.of("secrets = [\"../etc/passwd\"]", "key 'allow.secrets': '../etc/passwd' is not a secret's file name"),
                Arguments.of("kv = [\"my carts\"]", "key 'allow.kv': 'my carts' is not a bucket name"));
    }

    @ParameterizedTest
    @MethodSource("badGrants")
    void aBadGrantIsReportedAtItsLine(String line, String message) {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "[allow]", line));

        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).startsWith(message);
    }

    @Test
    void allowMustBeATable() {
        ScriptProblem problem = problem(py("subject = \"a.b\"", "allow = [\"x\"]"));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).startsWith("key 'allow': expected a table of grants");
    }
}
