package dev.metropolis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The verified-token cache on a fake clock: how long a token is trusted, and what is never kept. */
@Timeout(30)
class VerifiedTokensTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private final AtomicLong nanos = new AtomicLong();
    private Instant now = Instant.parse("2026-12-01T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };
    private final Ticker ticker = nanos::get;
    private final VerifiedTokens tokens = new VerifiedTokens(clock, ticker);
    private final CallerIdentity alice = new CallerIdentity("jwt", "alice", null, List.of("orders.write"), List.of(), Map.of());

    private void advance(Duration by) {
        now = now.plus(by);
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void aTokenIsTrustedUntilItsExpiry() {
        tokens.add("t1", new VerifiedTokens.Verified(alice, Date.from(now.plusSeconds(20))));
        assertThat(tokens.find("t1")).isEqualTo(alice);
        advance(Duration.ofSeconds(19));
        assertThat(tokens.find("t1")).isEqualTo(alice);
        advance(Duration.ofSeconds(1));
        assertThat(tokens.find("t1")).isNull();
    }

    @Test
    void aLongLivedTokenIsCheckedAgainAfterTheMaximumAge() {
        tokens.add("t1", new VerifiedTokens.Verified(alice, Date.from(now.plus(Duration.ofHours(1)))));
        advance(VerifiedTokens.MAX_AGE.minusSeconds(1));
        assertThat(tokens.find("t1")).isEqualTo(alice);
        advance(Duration.ofSeconds(1));
        assertThat(tokens.find("t1")).isNull();
    }

    @Test
    void anExpiredTokenIsNotKeptAndOtherTokensAreNotConfused() {
        tokens.add("old", new VerifiedTokens.Verified(alice, Date.from(now.minusSeconds(1))));
        tokens.add("t1", new VerifiedTokens.Verified(alice, null));
        assertThat(tokens.find("old")).isNull();
        assertThat(tokens.find("t2")).isNull();
        assertThat(tokens.size()).isEqualTo(1);
    }

    @Test
    void theVerifierKeepsWhatVerifiedAndNothingItRefused() throws Exception {
        JwtVerifier verifier = new JwtVerifier(new JwtVerifier.Settings(Tokens.ISSUER, Tokens.AUDIENCE,
                SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, "scope", Duration.ofSeconds(5)),
                new VerifiedTokens());
        String good = Tokens.hs256(SECRET, Tokens.claims("alice", "orders.write").build());
        String forged = Tokens.hs256("another-secret-of-at-least-32-bytes!!", Tokens.claims("mallory", "orders.write").build());
        CallerIdentity first = verifier.verify(good);
        assertThat(verifier.verify(good)).isSameAs(first); // from the cache: the same object, not verified again
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(JwtVerifier.InvalidToken.class);
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(JwtVerifier.InvalidToken.class);
        assertThat(first.subject()).isEqualTo("alice");
        // The identity header a cached token's requests carry is serialised once, not per request.
        String header = verifier.verify(good).header();
        assertThat(verifier.verify(good).header()).isSameAs(header).contains("\"subject\":\"alice\"");
    }

    @Test
    void anApiKeyIsTheSameCallerEachTimeWithItsHeaderMadeOnce() {
        String key = "mtr_test_0123456789abcdef0123456789abcdef";
        ApiKeys keys = new ApiKeys(List.of(new ApiKeys.Entry("ops", ApiKeys.sha256(key), List.of("orders.write"), List.of())));

        CallerIdentity caller = keys.find(key).orElseThrow();

        assertThat(keys.find(key).orElseThrow()).isSameAs(caller);
        assertThat(caller.header()).isSameAs(caller.header())
                .isEqualTo("{\"method\":\"api_key\",\"subject\":\"ops\",\"key\":\"ops\",\"scopes\":[\"orders.write\"],\"claims\":{}}");
        assertThat(keys.find(key + "x")).isEmpty();
    }
}
