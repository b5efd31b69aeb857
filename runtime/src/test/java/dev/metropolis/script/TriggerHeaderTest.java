package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The header keys of stream and schedule triggers: read, defaulted, and refused at their lines. */
@Timeout(10)
class TriggerHeaderTest {
    private static final Path PY = Path.of("tasks/billing.py");

    @Test
    void readsAStreamTrigger() throws ScriptProblem {
        ScriptHeader header = parse(py("stream = \"ORDERS\"", "subject = \"orders.created\"", "durable = \"billing\"",
                "max_deliver = 4", "backoff = [\"1s\", \"10s\", \"1m\"]", "dead_letter = \"orders.dead\""));
        assertThat(header.subjects()).containsExactly("orders.created");
        assertThat(header.trigger()).isEqualTo(new Trigger.Stream("ORDERS", "billing", new Trigger.Retry(4,
                List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1)), "orders.dead")));
        assertThat(header.trigger().describe()).isEqualTo("stream ORDERS durable billing max_deliver 4 dead_letter orders.dead");
    }

    @Test
    void aStreamTriggerDefaultsToFiveDeliveriesOneSecondApartAndNoDeadLetter() throws ScriptProblem {
        ScriptHeader header = parse(py("stream = \"ORDERS\"", "subject = \"orders.*\""));
        assertThat(header.trigger()).isEqualTo(new Trigger.Stream("ORDERS", "", Trigger.Retry.DEFAULT));
        assertThat(Trigger.Retry.DEFAULT.maxDeliver()).isEqualTo(5);
    }

    @Test
    void readsSchedulesWhichNeedNoSubject() throws ScriptProblem {
        ScriptHeader cron = parse(py("schedule = \"*/5 * * * *\"", "time_zone = \"Europe/Paris\""));
        assertThat(cron.subjects()).isEmpty();
        assertThat(cron.trigger()).isEqualTo(new Trigger.Schedule("*/5 * * * *", null, ZoneId.of("Europe/Paris"),
                Trigger.Retry.DEFAULT));
        ScriptHeader every = parse(py("every = \"30s\"", "max_deliver = 2"));
        assertThat(every.trigger()).isEqualTo(new Trigger.Schedule("", Duration.ofSeconds(30), ZoneId.of("UTC"),
                new Trigger.Retry(2, Trigger.Retry.DEFAULT.backoff(), "")));
        assertThat(every.trigger().describe()).isEqualTo("schedule every 30s");
    }

    @Test
    void aBadCronExpressionIsReportedAtItsLine() {
        ScriptProblem problem = problem(py("description = \"x\"", "schedule = \"*/5 * *\""));
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).startsWith("key 'schedule': schedule '*/5 * *' must have 5 fields");
        assertThat(problem(py("schedule = \"61 * * * *\"")).detail()).contains("is not a valid cron expression");
    }

    @Test
    void keysOfOtherTriggersAreReportedAtTheirLines() {
        ScriptProblem durable = problem(py("subject = \"a.b\"", "durable = \"billing\""));
        assertThat(durable.line()).isEqualTo(3);
        assertThat(durable.detail()).isEqualTo("key 'durable' needs 'stream': add e.g. stream = \"ORDERS\"");
        ScriptProblem maxDeliver = problem(py("subject = \"a.b\"", "max_deliver = 3"));
        assertThat(maxDeliver.line()).isEqualTo(3);
        assertThat(maxDeliver.detail()).startsWith("key 'max_deliver' applies to stream and scheduled tasks");
        assertThat(problem(py("every = \"30s\"", "schedule = \"* * * * *\"")).line()).isEqualTo(3);
        assertThat(problem(py("stream = \"S\"", "subject = \"a.b\"", "every = \"1m\"")).detail())
                .contains("either from a 'stream' or on a schedule");
        assertThat(problem(py("every = \"1m\"", "subject = \"a.b\"")).detail()).contains("runs from its ticks");
        assertThat(problem(py("every = \"1m\"", "time_zone = \"UTC\"")).detail()).startsWith("key 'time_zone' needs 'schedule'");
    }

    @Test
    void badValuesAreReportedAtTheirLineSayingWhatWasExpected() {
        ScriptProblem zone = problem(py("schedule = \"0 9 * * *\"", "time_zone = \"Mars/Olympus\""));
        assertThat(zone.line()).isEqualTo(3);
        assertThat(zone.detail()).contains("'Mars/Olympus' is not a time zone");
        assertThat(problem(py("stream = \"OR.DERS\"", "subject = \"a\"")).detail()).contains("not a valid JetStream stream name");
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "backoff = [\"1s\", true]")).detail())
                .startsWith("key 'backoff': expected a duration");
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "dead_letter = \"dead.*\"")).detail())
                .contains("must be a plain subject");
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "max_deliver = 0")).detail())
                .contains("max_deliver must be between 1 and 1000");
        assertThat(problem(py("stream = \"S\"", "subject = [\"a\", \"b\"]")).detail()).contains("consumes one subject");
        assertThat(problem(py("stream = \"S\"", "subject = \"orders.>\"", "dead_letter = \"orders.dead\"")).detail())
                .contains("is matched by the task's subject 'orders.>'").contains("\"dead.orders\"");
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "http = \"POST /a\"")).detail()).contains("no reply to give");
    }

    @Test
    void aMisspeltTriggerKeyIsSuggested() {
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "max_delivery = 3")).detail())
                .contains("unknown key 'max_delivery'").endsWith("did you mean 'max_deliver'?");
        assertThat(problem(py("stream = \"S\"", "subject = \"a\"", "deadletter = \"x\"")).detail())
                .endsWith("did you mean 'dead_letter'?");
    }

    private static ScriptHeader parse(String source) throws ScriptProblem {
        return HeaderParser.parse(PY, source, Language.PYTHON).orElseThrow();
    }

    private static String py(String... tomlLines) {
        return "# /// metropolis\n" + Stream.of(tomlLines).map(line -> "# " + line + "\n").collect(Collectors.joining())
                + "# ///\ndef handle(body, msg): ...\n";
    }

    private static ScriptProblem problem(String source) {
        try {
            Optional<ScriptHeader> header = HeaderParser.parse(PY, source, Language.PYTHON);
            throw new AssertionError("expected a ScriptProblem, got " + header);
        } catch (ScriptProblem problem) {
            return problem;
        }
    }
}
