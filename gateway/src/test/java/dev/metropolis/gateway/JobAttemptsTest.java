package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which job outcomes are retried, after what delay; and the job record's JSON. */
@Timeout(5)
class JobAttemptsTest {
    @Test
    void aReplyOrARefusalEndsTheJob() {
        assertThat(JobAttempts.retryAfter(200, 1)).isEmpty();
        assertThat(JobAttempts.retryAfter(400, 1)).isEmpty();
        assertThat(JobAttempts.retryAfter(422, 1)).isEmpty();
    }

    @Test
    void noReplyABusyHostOrA5xxIsRetriedWithGrowingDelaysUntilTheLastAttempt() {
        assertThat(JobAttempts.retryAfter(503, 1)).contains(Duration.ofSeconds(1));
        assertThat(JobAttempts.retryAfter(504, 2)).contains(Duration.ofSeconds(5));
        assertThat(JobAttempts.retryAfter(429, 3)).contains(Duration.ofSeconds(30));
        assertThat(JobAttempts.retryAfter(500, 4)).contains(Duration.ofMinutes(2));
        assertThat(JobAttempts.retryAfter(500, JobAttempts.MAX_ATTEMPTS)).isEqualTo(Optional.empty());
    }

    @Test
    void aJobReadsBackAsWrittenWithTextAndBinaryBodies() {
        Instant created = Instant.parse("2025-01-01T00:00:00Z");
        Job text = Job.queued("abc", "shout", "text.shout", created, "https://example.com/hook")
                .running(1, created.plusSeconds(1))
                .finished(1, new Job.Reply(200, "text/plain", "HI!".getBytes(StandardCharsets.UTF_8)), created.plusSeconds(2));
        assertThat(text.state()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(text.toJson()).containsEntry("state", "succeeded").containsEntry("attempts", 1);
        Job back = Job.fromJson(text.toJson());
        assertThat(back.toJson()).isEqualTo(text.toJson());
        Job binary = text.finished(2, new Job.Reply(500, "application/octet-stream", new byte[] {(byte) 0xff, 0}), created);
        assertThat(binary.state()).isEqualTo(Job.State.FAILED);
        @SuppressWarnings("unchecked")
        var reply = (java.util.Map<String, Object>) binary.toJson().get("reply");
        assertThat(reply).containsEntry("body_encoding", "base64").containsEntry("body", "/wA=");
        assertThat(Job.fromJson(binary.toJson()).reply().body()).containsExactly(0xff, 0);
    }

    @Test
    void preferRespondAsyncIsFoundAmongOtherPreferences() {
        assertThat(Jobs.prefersAsync(Optional.of("respond-async"))).isTrue();
        assertThat(Jobs.prefersAsync(Optional.of("return=minimal, Respond-Async; foo=1"))).isTrue();
        assertThat(Jobs.prefersAsync(Optional.of("wait=10"))).isFalse();
        assertThat(Jobs.prefersAsync(Optional.empty())).isFalse();
    }
}
