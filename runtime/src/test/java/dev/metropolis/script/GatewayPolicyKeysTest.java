package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.Rate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The header keys the gateway enforces, {@code auth} and {@code rate}: what they read as, and their errors. */
@Timeout(10)
class GatewayPolicyKeysTest {
    private static final Path PY = Path.of("tasks/orders.py");

    private static ScriptHeader parse(String keys) throws ScriptProblem {
        return HeaderParser.parse(PY, "# /// metropolis\n# subject = \"orders.place\"\n" + keys + "# ///\n",
                Language.PYTHON).orElseThrow();
    }

    private static ScriptProblem problem(String keys) {
        return (ScriptProblem) org.assertj.core.api.Assertions.catchThrowable(() -> parse(keys));
    }

    @Test
    void authReadsAsPublicRequiredOrScopes() throws ScriptProblem {
        assertThat(parse("# auth = \"public\"\n").auth()).isEqualTo(AccessPolicy.PUBLIC);
        assertThat(parse("# auth = \"required\"\n").auth()).isEqualTo(AccessPolicy.REQUIRED);
        assertThat(parse("# auth = [\"scope:orders.write\", \"scope:audit\"]\n").auth().scopes())
                .containsExactly("orders.write", "audit");
        assertThat(parse("").auth()).as("none declared: the gateway's default").isNull();
    }

    @Test
    void rateReadsAsCountPerPeriod() throws ScriptProblem {
        assertThat(parse("# rate = \"100/s\"\n").rate()).isEqualTo(new Rate(100, Duration.ofSeconds(1)));
        assertThat(parse("").rate()).isNull();
    }

    @Test
    void aBadAuthIsReportedAtItsLineWithTheFormsItTakes() {
        ScriptProblem problem = problem("# auth = \"private\"\n");
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.detail()).contains("key 'auth'").contains("\"public\", \"required\"");
        assertThat(problem("# auth = \"scope:orders.write\"\n").detail()).contains("scopes go in a list");
        assertThat(problem("# auth = [\"orders.write\"]\n").detail()).contains("scope:NAME");
    }

    @Test
    void aBadRateIsReportedAtItsLine() {
        ScriptProblem problem = problem("# timeout = \"5s\"\n# rate = \"100 per second\"\n");
        assertThat(problem.line()).isEqualTo(4);
        assertThat(problem.detail()).contains("key 'rate'").contains("\"100/s\"");
    }

    @Test
    void aMisspeltKeyGetsADidYouMean() {
        assertThat(problem("# auht = \"public\"\n").detail()).contains("did you mean 'auth'");
        assertThat(problem("# rates = \"1/s\"\n").detail()).contains("did you mean 'rate'");
    }

    @Test
    void aScheduledTaskTakesNoGatewayPolicy() {
        assertThatThrownBy(() -> HeaderParser.parse(PY, "# /// metropolis\n# every = \"1m\"\n# auth = \"public\"\n# ///\n",
                Language.PYTHON)).isInstanceOf(ScriptProblem.class).hasMessageContaining("not called over HTTP");
    }

    @Test
    void thePolicyIsPublishedInDiscovery() throws Exception {
        java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("metropolis-policy");
        java.nio.file.Path file = folder.resolve("orders.py");
        java.nio.file.Files.writeString(file, "# /// metropolis\n# subject = \"orders.place\"\n"
                + "# auth = [\"scope:orders.write\"]\n# rate = \"20/m\"\n# ///\ndef handle(body, msg):\n    return body\n");
        var metadata = dev.metropolis.serve.TaskService.metadata(TaskScript.load(file).orElseThrow());
        assertThat(metadata).containsEntry(dev.metropolis.task.TaskMetadata.AUTH, "scope:orders.write")
                .containsEntry(dev.metropolis.task.TaskMetadata.RATE, "20/m");
        assertThat(List.copyOf(metadata.keySet())).doesNotHaveDuplicates();
    }
}
