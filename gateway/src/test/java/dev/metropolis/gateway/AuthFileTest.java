package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.task.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The auth file's format: what it reads as, and the mistakes it refuses rather than ignores. */
@Timeout(10)
class AuthFileTest {
    private static Authenticator parse(String json, Map<String, String> env) {
        return AuthFile.parse(json.getBytes(StandardCharsets.UTF_8), env);
    }

    @Test
    void theDefaultPolicyIsRequiredUnlessTheFileSaysOtherwise() {
        assertThat(parse("{}", Map.of()).defaultPolicy()).isEqualTo(AccessPolicy.REQUIRED);
        assertThat(parse("{\"default\": \"public\"}", Map.of()).defaultPolicy()).isEqualTo(AccessPolicy.PUBLIC);
        assertThat(parse("{\"default\": [\"scope:read\"]}", Map.of()).defaultPolicy().scopes()).containsExactly("read");
    }

    @Test
    void aMisspeltKeyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> parse("{\"api_key\": []}", Map.of())).hasMessageContaining("unknown key 'api_key'")
                .hasMessageContaining("api_keys");
        assertThatThrownBy(() -> parse("{\"jwt\": {\"secret_env\": \"S\", \"audiance\": \"x\"}}", Map.of("S", "x".repeat(32))))
                .hasMessageContaining("unknown key 'jwt.audiance'");
    }

    @Test
    void aKeyIsAHashNeverTheKeyItself() {
        assertThatThrownBy(() -> parse("{\"api_keys\": [{\"name\": \"ci\", \"sha256\": \"mtr_plain_key\"}]}", Map.of()))
                .hasMessageContaining("api key 'ci': sha256 must be 64 hex digits");
    }

    @Test
    void theSecretComesFromTheEnvironmentAndMustBeLongEnough() {
        String file = "{\"jwt\": {\"secret_env\": \"JWT_SECRET\"}}";
        assertThatThrownBy(() -> parse(file, Map.of())).hasMessageContaining("JWT_SECRET, which is not set");
        assertThatThrownBy(() -> parse(file, Map.of("JWT_SECRET", "short"))).hasMessageContaining("at least 32 bytes");
        assertThat(parse(file, Map.of("JWT_SECRET", "s".repeat(32))).jwt()).isNotNull();
    }

    @Test
    void aJwtSectionNeedsAKeySource() {
        assertThatThrownBy(() -> parse("{\"jwt\": {\"issuer\": \"x\"}}", Map.of())).hasMessageContaining("give a secret");
    }

    @Test
    void notJsonIsRefused() {
        assertThatThrownBy(() -> parse("default = required", Map.of())).hasMessageContaining("not JSON");
    }
}
