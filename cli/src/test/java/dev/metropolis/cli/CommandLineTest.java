package dev.metropolis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.LogOptions;
import dev.metropolis.command.NatsOptions;
import dev.metropolis.gateway.GatewayCommand;
import dev.metropolis.host.HostCommand;
import dev.metropolis.logging.Logging;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import dev.metropolis.host.HostConfig;
import dev.metropolis.nats.NatsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineTest {
    private static final List<Option> OPTIONS = List.of(
            new Option("--scripts", "TEST_SCRIPTS", "DIR", "scripts", "folder of scripts"),
            new Option("--token", "TEST_TOKEN", "TOKEN", null, "auth token"),
            new Option("--quiet-flagless", null, "X", null, "no variable, no default"),
            new Option("--watch", "TEST_WATCH", null, "false", "a switch"));

    private static Map<String, String> parse(Map<String, String> env, String... args) throws UsageException {
        return CommandLine.parse(OPTIONS, args, env);
    }

    // ---- resolution ---------------------------------------------------------------------------------

    @Test
    void withNothingSetOnlyDefaultsAppear() throws UsageException {
        assertThat(parse(Map.of())).containsExactly(Map.entry("--scripts", "scripts"), Map.entry("--watch", "false"));
    }

    @Test
    void theEnvironmentBeatsTheDefault() throws UsageException {
        assertThat(parse(Map.of("TEST_SCRIPTS", "/srv/tasks", "TEST_TOKEN", "s3cret")))
                .containsEntry("--scripts", "/srv/tasks")
                .containsEntry("--token", "s3cret");
    }

    @Test
    void aBlankVariableIsIgnored() throws UsageException {
        assertThat(parse(Map.of("TEST_SCRIPTS", "  ", "TEST_TOKEN", "")))
                .containsEntry("--scripts", "scripts")
                .doesNotContainKey("--token");
    }

    @Test
    void aFlagBeatsTheEnvironment() throws UsageException {
        assertThat(parse(Map.of("TEST_SCRIPTS", "/srv/tasks"), "--scripts", "./mine"))
                .containsEntry("--scripts", "./mine");
    }

    @Test
    void theEqualsFormSetsAValue() throws UsageException {
        assertThat(parse(Map.of("TEST_TOKEN", "from-env"), "--token=a=b", "--scripts=dir"))
                .containsEntry("--token", "a=b")
                .containsEntry("--scripts", "dir");
    }

    @Test
    void aLaterFlagWins() throws UsageException {
        assertThat(parse(Map.of(), "--scripts", "one", "--scripts=two")).containsEntry("--scripts", "two");
    }

    @Test
    void anOptionWithoutVariableOrDefaultIsSetOnlyByItsFlag() throws UsageException {
        assertThat(parse(Map.of(), "--quiet-flagless", "x")).containsEntry("--quiet-flagless", "x");
    }

    @Test
    void aSwitchAloneIsTrueAndTakesNoValue() throws UsageException {
        assertThat(parse(Map.of(), "--watch", "--scripts", "dir"))
                .containsEntry("--watch", "true")
                .containsEntry("--scripts", "dir");
    }

    @Test
    void aSwitchCanBeTurnedOffWithTheEqualsForm() throws UsageException {
        assertThat(parse(Map.of("TEST_WATCH", "true"), "--watch=false")).containsEntry("--watch", "false");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "yes, true", "1, true", "false, false", "No, false", "0, false"})
    void isOnReadsTheUsualSpellingsOfASwitch(String value, boolean on) {
        assertThat(CommandLine.isOn(Map.of("--watch", value), "--watch")).isEqualTo(on);
    }

    @Test
    void anAbsentSwitchIsOff() {
        assertThat(CommandLine.isOn(Map.of(), "--watch")).isFalse();
    }

    @Test
    void aSwitchWithAnotherValueIsRejected() {
        assertThatThrownBy(() -> CommandLine.isOn(Map.of("--watch", "sometimes"), "--watch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--watch is a switch: true or false, got 'sometimes'");
    }

    @Test
    void wholeNumbersAreReadAndABadOneNamesItsOption() {
        assertThat(CommandLine.integer(Map.of("--port", " 8080 "), "--port")).isEqualTo(8080);
        assertThat(CommandLine.wholeNumber(Map.of("--max-body", "5000000000"), "--max-body")).isEqualTo(5_000_000_000L);
        assertThatThrownBy(() -> CommandLine.wholeNumber(Map.of("--max-body", "1MB"), "--max-body"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--max-body expects a whole number, got '1MB'");
        assertThatThrownBy(() -> CommandLine.integer(Map.of("--port", "5000000000"), "--port"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--port is too large: 5000000000");
    }

    // ---- errors -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--bogus=1", "stray", "-s", "--script"})
    void anUnknownOptionIsAUsageError(String arg) {
        assertThatThrownBy(() -> parse(Map.of(), arg))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option '" + arg + "'; see --help");
    }

    @Test
    void aFlagAtTheEndWithoutAValueIsAUsageError() {
        assertThatThrownBy(() -> parse(Map.of(), "--token", "t", "--scripts"))
                .isInstanceOf(UsageException.class)
                .hasMessage("option --scripts needs a value (DIR)");
    }

    @Test
    void concatKeepsEveryListInOrder() {
        Option a = new Option("--a", null, "A", null, "a");
        Option b = new Option("--b", null, "B", null, "b");
        Option c = new Option("--c", null, "C", null, "c");

        assertThat(CommandLine.concat(List.of(a), List.of(), List.of(b, c))).containsExactly(a, b, c);
    }

    @Test
    void withDefaultChangesOnlyTheDefault() throws UsageException {
        Option scripts = OPTIONS.get(0).withDefault("examples");

        assertThat(scripts).isEqualTo(new Option("--scripts", "TEST_SCRIPTS", "DIR", "examples", "folder of scripts"));
        assertThat(CommandLine.parse(List.of(scripts), new String[0], Map.of())).containsEntry("--scripts", "examples");
    }

    // ---- help ---------------------------------------------------------------------------------------

    @Test
    void helpListsEveryHostOptionWithItsVariableAndDefault() {
        String help = CommandLine.help("metropolis host [options]", "Serves every task script.", HostCommand.OPTIONS);
        List<String> lines = help.lines().toList();

        assertThat(help).startsWith("Usage: metropolis host [options]\n\nServes every task script.\n\nOptions:\n");
        for (Option option : HostCommand.OPTIONS) {
            String line = lineFor(lines, option);
            assertThat(line).contains(option.help(), "[env " + option.env() + "]");
            if (option.defaultValue() != null) {
                assertThat(line).endsWith("(default: " + option.defaultValue() + ")");
            } else {
                assertThat(line).doesNotContain("(default:");
            }
        }
        assertThat(lines).anyMatch(l -> l.startsWith("  --help ") && l.endsWith("show this help"));
    }

    @Test
    void helpAlignsTheDescriptions() {
        List<String> lines = CommandLine.help("u", "d", HostCommand.OPTIONS).lines().toList();

        List<Integer> columns = HostCommand.OPTIONS.stream()
                .map(option -> lineFor(lines, option).indexOf(option.help()))
                .distinct().toList();
        int helpColumn = lines.stream().filter(l -> l.startsWith("  --help ")).findFirst().orElseThrow()
                .indexOf("show this help");

        assertThat(columns).containsExactly(helpColumn);
    }

    private static String lineFor(List<String> lines, Option option) {
        String left = option.argument() == null ? option.flag() : option.flag() + " " + option.argument();
        return lines.stream().filter(l -> l.startsWith("  " + left + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no help line for " + option.flag()));
    }

    // ---- HostCommand and LogOptions ---------------------------------------------------------------

    private static HostConfig config(Map<String, String> env, String... args) throws UsageException {
        return HostCommand.config(CommandLine.parse(HostCommand.OPTIONS, args, env));
    }

    @Test
    void theDefaultsMakeAWorkingConfig() throws UsageException {
        HostConfig config = config(Map.of());

        assertThat(config.scriptsDir()).isEqualTo(Path.of("scripts"));
        assertThat(config.nats()).isEqualTo(NatsSettings.of(NatsSettings.DEFAULT_URL));
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.watch()).isFalse();
    }

    @Test
    void watchTurnsOnHotReload() throws UsageException {
        assertThat(config(Map.of(), "--watch").watch()).isTrue();
        assertThat(config(Map.of("METROPOLIS_WATCH", "yes")).watch()).isTrue();
    }

    @Test
    void commaSeparatedNatsUrlsAreSplit() throws UsageException {
        HostConfig config = config(Map.of("NATS_URL", "nats://a:4222, tls://b:4222,,nats://c:4222"));

        assertThat(config.nats().servers()).containsExactly("nats://a:4222", "tls://b:4222", "nats://c:4222");
    }

    @Test
    void everyNatsOptionReachesTheSettings() throws UsageException {
        HostConfig config = config(Map.of("NATS_PASSWORD", "pw"),
                "--scripts", "/srv/tasks",
                "--nats-user", "alice",
                "--nats-truststore", "trust.p12", "--nats-truststore-password", "tp",
                "--nats-keystore", "key.p12", "--nats-keystore-password", "kp",
                "--drain-timeout", "1.5s");

        assertThat(config.scriptsDir()).isEqualTo(Path.of("/srv/tasks"));
        assertThat(config.nats()).isEqualTo(new NatsSettings(List.of(NatsSettings.DEFAULT_URL), null, null, "alice", "pw",
                Path.of("trust.p12"), "tp", Path.of("key.p12"), "kp"));
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aCredentialsFileIsAPath() throws UsageException {
        assertThat(config(Map.of(), "--nats-creds=/etc/nats/user.creds").nats().credentialsFile())
                .isEqualTo(Path.of("/etc/nats/user.creds"));
    }

    @Test
    void aUserWithoutAPasswordIsRejected() {
        assertThatThrownBy(() -> config(Map.of("NATS_USER", "alice")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a NATS user needs a password");
    }

    @Test
    void twoAuthenticationMethodsAreRejected() {
        assertThatThrownBy(() -> config(Map.of(), "--nats-token", "t", "--nats-creds", "u.creds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("choose one NATS authentication");
    }

    @Test
    void aDrainTimeoutThatIsNotADurationIsRejected() {
        assertThatThrownBy(() -> config(Map.of("METROPOLIS_DRAIN_TIMEOUT", "10")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"10\"");
    }

    @ParameterizedTest
    @CsvSource({"error, SEVERE", "warn, WARNING", "warning, WARNING", "info, INFO", "INFO, INFO", "Debug, FINE",
        "trace, FINEST"})
    void logLevelNamesMapToJulLevels(String name, String level) {
        assertThat(LogOptions.level(name)).isEqualTo(Level.parse(level));
    }

    @Test
    void anUnknownLogLevelIsRejectedWithTheChoices() {
        assertThatThrownBy(() -> LogOptions.level("verbose"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("log level 'verbose' is not one of error, warn, info, debug, trace");
    }

    @Test
    void theDefaultLogLevelIsInfo() throws UsageException {
        Map<String, String> values = CommandLine.parse(HostCommand.OPTIONS, new String[0], Map.of());

        assertThat(LogOptions.level(values.get("--log-level"))).isEqualTo(Level.INFO);
    }
}
