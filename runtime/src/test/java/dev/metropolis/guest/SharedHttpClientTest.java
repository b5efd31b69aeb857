package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/** The scripts' HTTP client exists only once a request needs it, never follows redirects, and ends with the host. */
class SharedHttpClientTest {

    @Test
    void theClientIsMadeOnFirstUseOnceAndNeverFollowsRedirects() {
        try (SharedHttpClient shared = new SharedHttpClient()) {
            assertThat(shared.isStarted()).isFalse();

            HttpClient client = shared.get();

            assertThat(shared.isStarted()).isTrue();
            assertThat(shared.get()).isSameAs(client);
            assertThat(client.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
        }
    }

    @Test
    void aClosedClientRefusesNewRequests() {
        SharedHttpClient shared = new SharedHttpClient();
        shared.get();
        shared.close();

        assertThatThrownBy(shared::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopping");
    }
}
