package dev.metropolis.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies JWT bearer tokens with Nimbus JOSE+JWT: HS256 with a shared secret, RS256/ES256 with keys
 * from a JWKS URL (cached; a token signed by a key the cache does not know triggers a refetch, so
 * rotated keys are honoured) or file. Unsigned tokens ({@code alg: none}) and other algorithms are
 * refused by the processor; {@code exp} is required, {@code iss}/{@code aud} when configured. A
 * token that verified is trusted again without checks until its {@code exp}, for a minute at most
 * ({@link VerifiedTokens}).
 */
final class JwtVerifier {
    /** JWKS cache: keys are kept this long, and a fetch may take this long. */
    private static final Duration JWKS_TTL = Duration.ofMinutes(5);
    private static final Duration JWKS_REFRESH_TIMEOUT = Duration.ofSeconds(5);
    /** Least time between two fetches of the JWKS, so unknown key ids cannot hammer the provider. */
    private static final Duration JWKS_MIN_INTERVAL = Duration.ofSeconds(1);

    /**
     * What tokens must be.
     *
     * @param issuer     required {@code iss}, or null for any
     * @param audience   required {@code aud} (one of the token's), or null for any
     * @param secret     HS256 shared secret (at least 32 bytes), or null
     * @param jwks       the JWKS URL ({@code https://...} or {@code file:...}), or null
     * @param scopeClaim the claim holding scopes: a space-separated string or a list
     * @param clockSkew  how far exp and nbf may be off
     */
    record Settings(String issuer, String audience, byte[] secret, String jwks, String scopeClaim, Duration clockSkew) {
        Settings {
            Objects.requireNonNull(scopeClaim, "scopeClaim");
            if (secret == null && jwks == null) {
                throw new IllegalArgumentException("jwt: give a secret (HS256) or a jwks URL or file (RS256/ES256)");
            }
            if (secret != null && secret.length < 32) {
                throw new IllegalArgumentException("jwt: the HS256 secret must be at least 32 bytes, got " + secret.length);
            }
        }
    }

    /** Why a token was refused; the message names the reason, never the token. */
    static final class InvalidToken extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidToken(String reason) {
            super(reason, null, false, false);
        }
    }

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String scopeClaim;
    private final VerifiedTokens verified;

    JwtVerifier(Settings settings) {
        this(settings, new VerifiedTokens());
    }

    JwtVerifier(Settings settings, VerifiedTokens verified) {
        this.scopeClaim = settings.scopeClaim();
        this.verified = verified;
        JWSKeySelector<SecurityContext> hmac = settings.secret() == null ? null
                : new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(settings.secret()));
        JWSKeySelector<SecurityContext> keys = settings.jwks() == null ? null
                : new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), jwks(settings.jwks()));
        // The header's alg picks the selector; an alg neither accepts has no key, so the token fails.
        processor.setJWSKeySelector((header, context) -> {
            JWSKeySelector<SecurityContext> selector = JWSAlgorithm.HS256.equals(header.getAlgorithm()) ? hmac : keys;
            return selector == null ? List.of() : selector.selectJWSKeys(header, context);
        });
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (settings.issuer() != null) {
            exact.issuer(settings.issuer());
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                settings.audience() == null ? null : Set.of(settings.audience()), exact.build(), Set.of("exp"), null);
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    private static JWKSource<SecurityContext> jwks(String location) {
        if (location.startsWith("file:")) {
            return new JwksFile(Path.of(URI.create(location)));
        }
        try {
            return JWKSourceBuilder.<SecurityContext>create(URI.create(location).toURL())
                    .cache(JWKS_TTL.toMillis(), JWKS_REFRESH_TIMEOUT.toMillis())
                    .rateLimited(JWKS_MIN_INTERVAL.toMillis())
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt: jwks '" + location + "' is not a URL (https://... or file:/...)", e);
        }
    }

    /** The caller a token stands for; throws {@link InvalidToken} saying why not. */
    CallerIdentity verify(String token) throws InvalidToken {
        CallerIdentity known = verified.find(token);
        if (known != null) {
            return known;
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidToken("the bearer token is not a JWT: " + e.getMessage());
        } catch (KeySourceException e) {
            throw new InvalidToken("the signing keys could not be fetched: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            throw new InvalidToken(e.getMessage());
        }
        String subject = claims.getSubject() != null ? claims.getSubject()
                : String.valueOf(claims.getClaims().getOrDefault("client_id", "unknown"));
        CallerIdentity caller = new CallerIdentity("jwt", subject, null, scopes(claims.getClaim(scopeClaim)), List.of(),
                claims.toJSONObject());
        verified.add(token, new VerifiedTokens.Verified(caller, claims.getExpirationTime()));
        return caller;
    }

    private static List<String> scopes(Object claim) {
        if (claim instanceof String joined) {
            return Arrays.stream(joined.trim().split("\\s+")).filter(scope -> !scope.isEmpty()).toList();
        }
        if (claim instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
