package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.command.CommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway's edge options, from command line and environment to one {@link EdgeConfig}. */
@Timeout(10)
class EdgeOptionsTest {
    private static GatewayConfig config(Map<String, String> env, String... args) throws Exception {
        return GatewayCommand.config(CommandLine.parse(GatewayCommand.OPTIONS, args, env));
    }

    @Test
    void withoutAuthTheGatewayRefusesToStartAndSaysWhatToGive() {
        assertThatThrownBy(() -> config(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--auth is required").hasMessageContaining("--auth off");
    }

    @Test
    void authOffIsNoAuthFileAndAPathIsTheAuthFile() throws Exception {
        assertThat(config(Map.of(), "--auth", "off").edge().authFile()).isNull();
        assertThat(config(Map.of("METROPOLIS_AUTH", "/etc/metropolis/auth.json")).edge().authFile())
                .isEqualTo(Path.of("/etc/metropolis/auth.json"));
    }

    @Test
    void rateCorsAndTlsAreRead() throws Exception {
        EdgeConfig edge = config(Map.of(), "--auth", "off", "--rate", "50/s", "--cors-origins", "https://a.test, https://b.test",
                "--cors-credentials", "true", "--tls-cert", "c.pem", "--tls-key", "k.pem").edge();
        assertThat(edge.defaultRate().toString()).isEqualTo("50/s");
        assertThat(edge.cors().origins()).containsExactly("https://a.test", "https://b.test");
        assertThat(edge.cors().credentials()).isTrue();
        assertThat(edge.cors().maxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(edge.cors().methods()).contains("POST");
        assertThat(edge.tlsCert()).isEqualTo(Path.of("c.pem"));
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> config(Map.of(), "--auth", "off", "--tls-cert", "c.pem"))
                .hasMessageContaining("--tls-cert and --tls-key go together");
    }

    @Test
    void anUnreadableRateIsRefused() {
        assertThatThrownBy(() -> config(Map.of(), "--auth", "off", "--rate", "fast")).hasMessageContaining("\"100/s\"");
    }
}
