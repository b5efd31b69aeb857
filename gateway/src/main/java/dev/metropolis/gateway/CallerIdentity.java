package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A caller the gateway authenticated, as the task sees it in {@code msg.auth}.
 *
 * @param method  "api_key" or "jwt"
 * @param subject who called: the key's name, or the token's {@code sub}
 * @param key     the API key's name, or null for a token
 * @param scopes  what the caller may do
 * @param tasks   tasks an API key is limited to; empty means any task its scopes allow
 * @param claims  a token's claims (none for a key)
 */
public record CallerIdentity(String method, String subject, String key, List<String> scopes, List<String> tasks,
        Map<String, Object> claims) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public CallerIdentity {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(subject, "subject");
        scopes = List.copyOf(scopes);
        tasks = List.copyOf(tasks);
        claims = Map.copyOf(claims);
    }

    /** What rate limits count per: the method and the subject, so a key and a token never share a bucket. */
    String rateKey() {
        return method + ":" + subject;
    }

    /** The value of the identity header: one JSON object. */
    String header() {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("method", method);
        auth.put("subject", subject);
        auth.put("key", key);
        auth.put("scopes", scopes);
        auth.put("claims", claims);
        try {
            return JSON.writeValueAsString(auth);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
