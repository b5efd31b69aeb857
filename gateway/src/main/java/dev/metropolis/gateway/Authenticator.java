package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns the credential a request carries into a caller: an API key ({@code X-API-Key}, or
 * {@code Authorization: Bearer} when it is not a JWT) or a JWT bearer token. No credential is no
 * caller (the route's policy decides); a credential that does not verify is always refused.
 *
 * @param defaultPolicy the policy of tasks that declare none
 * @param keys          the API keys
 * @param jwt           the token verifier, or null when tokens are not accepted
 */
record Authenticator(AccessPolicy defaultPolicy, ApiKeys keys, JwtVerifier jwt) {
    /** A credential was presented and refused; the reason is safe to log and to tell the caller. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    Authenticator {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Objects.requireNonNull(keys, "keys");
    }

    /** The caller, empty when the request carries no credential; {@link Refused} when its credential is not good. */
    Optional<CallerIdentity> authenticate(String authorization, String apiKey) throws Refused {
        if (apiKey != null) {
            return Optional.of(keys.find(apiKey.trim()).orElseThrow(() -> new Refused("unknown API key")));
        }
        if (authorization == null) {
            return Optional.empty();
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            throw new Refused("the Authorization header must be 'Bearer <token or API key>'");
        }
        String credential = authorization.substring(space + 1).trim();
        if (jwt != null && looksLikeJwt(credential)) {
            try {
                return Optional.of(jwt.verify(credential));
            } catch (JwtVerifier.InvalidToken e) {
                throw new Refused("invalid token: " + e.getMessage());
            }
        }
        return Optional.of(keys.find(credential).orElseThrow(() -> new Refused(
                jwt == null && looksLikeJwt(credential) ? "the gateway accepts no JWTs (no jwt section in its auth file)"
                        : "unknown API key")));
    }

    /** Header.payload[.signature]: two dots, as a JWS (or an unsigned token) has. */
    private static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        return first > 0 && credential.indexOf('.', first + 1) > first;
    }
}
