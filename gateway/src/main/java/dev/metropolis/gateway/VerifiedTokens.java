package dev.metropolis.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;

/**
 * Tokens the gateway has verified, kept so a caller's next requests skip the signature check and
 * the claim checks: each until its {@code exp} or for {@link #MAX_AGE}, whichever comes first, so
 * a key removed from the JWKS stops a cached token within that time. Bounded by the characters of
 * the tokens held. A new auth configuration starts with an empty cache; refused tokens are never kept.
 */
final class VerifiedTokens {
    /** The longest a verified token is trusted without checking it again. */
    static final Duration MAX_AGE = Duration.ofSeconds(60);
    /** Characters of tokens held at most (about 16 MiB): some 10 000 typical tokens. */
    static final long MAX_CHARS = 8L << 20;

    /** A verified token's caller, and when the token expires (null: no {@code exp}). */
    record Verified(CallerIdentity caller, Date expires) {
        Verified {
            Objects.requireNonNull(caller, "caller");
        }
    }

    private final Cache<String, Verified> cache;
    private final Clock clock;

    /** A cache on the system's clocks. */
    VerifiedTokens() {
        this(Clock.systemUTC(), Ticker.systemTicker());
    }

    /** A cache on the given wall clock (to read {@code exp} against) and elapsed-time ticker (for expiry). */
    VerifiedTokens(Clock clock, Ticker ticker) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumWeight(MAX_CHARS)
                .<String, Verified>weigher((token, verified) -> token.length())
                .expireAfter(Expiry.<String, Verified>creating((token, verified) -> keepFor(verified)))
                .build();
    }

    /** The caller of a token verified before and still within its time, or null. */
    CallerIdentity find(String token) {
        Verified verified = cache.getIfPresent(token);
        if (verified == null) {
            return null;
        }
        if (verified.expires() != null && !clock.instant().isBefore(verified.expires().toInstant())) {
            cache.invalidate(token); // expired between two expiry sweeps: verify again, which refuses it
            return null;
        }
        return verified.caller();
    }

    /** Keeps a token that has just been verified. */
    void add(String token, Verified verified) {
        if (keepFor(verified).isPositive()) {
            cache.put(token, verified);
        }
    }

    private Duration keepFor(Verified verified) {
        if (verified.expires() == null) {
            return MAX_AGE;
        }
        Duration left = Duration.between(clock.instant(), verified.expires().toInstant());
        return left.compareTo(MAX_AGE) < 0 ? left : MAX_AGE;
    }

    /** Tokens held now (for tests). */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
