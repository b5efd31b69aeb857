package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.gateway.RetryPolicy.Failure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void aMessageThatReachedNobodyIsRetriedForEveryMethod() {
        for (String method : new String[] {"GET", "PUT", "DELETE", "POST", "PATCH"}) {
            assertThat(RetryPolicy.retries(Failure.NO_RESPONDERS, method)).as(method).isTrue();
            assertThat(RetryPolicy.retries(Failure.DISCONNECTED, method)).as(method).isTrue();
        }
    }

    @Test
    void aLostReplyIsRetriedOnlyForIdempotentMethods() {
        for (String method : new String[] {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}) {
            assertThat(RetryPolicy.retries(Failure.NO_REPLY, method)).as(method).isTrue();
        }
        assertThat(RetryPolicy.retries(Failure.NO_REPLY, "POST")).isFalse();
        assertThat(RetryPolicy.retries(Failure.NO_REPLY, "PATCH")).isFalse();
        assertThat(RetryPolicy.retries(Failure.FAILED, "POST")).isFalse();
    }

    @Test
    void backoffDoublesUpToACap() {
        assertThat(RetryPolicy.backoff(1)).isEqualTo(Duration.ofMillis(25));
        assertThat(RetryPolicy.backoff(2)).isEqualTo(Duration.ofMillis(50));
        assertThat(RetryPolicy.backoff(5)).isEqualTo(Duration.ofMillis(400));
        assertThat(RetryPolicy.backoff(60)).isEqualTo(Duration.ofMillis(400));
        assertThatThrownBy(() -> RetryPolicy.backoff(0)).hasMessageContaining("count from 1");
    }
}
