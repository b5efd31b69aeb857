package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A caller the gateway authenticated, as the task sees it in {@code msg.auth}. Not a record: it
 * keeps the identity header it serialises once, since a verified token's identity is cached and
 * sent with every request that token makes.
 */
public final class CallerIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String method;
    private final String subject;
    private final String key;
    private final List<String> scopes;
    private final List<String> tasks;
    private final Map<String, Object> claims;
    /** The header's JSON, made on first use (immutable, so a race only makes it twice). */
    private String header;

    /**
     * @param method  "api_key" or "jwt"
     * @param subject who called: the key's name, or the token's {@code sub}
     * @param key     the API key's name, or null for a token
     * @param scopes  what the caller may do
     * @param tasks   tasks an API key is limited to; empty means any task its scopes allow
     * @param claims  a token's claims (none for a key)
     */
    public CallerIdentity(String method, String subject, String key, List<String> scopes, List<String> tasks,
            Map<String, Object> claims) {
        this.method = Objects.requireNonNull(method, "method");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.key = key;
        this.scopes = List.copyOf(scopes);
        this.tasks = List.copyOf(tasks);
        this.claims = Map.copyOf(claims);
    }

    public String method() {
        return method;
    }

    public String subject() {
        return subject;
    }

    public String key() {
        return key;
    }

    public List<String> scopes() {
        return scopes;
    }

    public List<String> tasks() {
        return tasks;
    }

    public Map<String, Object> claims() {
        return claims;
    }

    /** What rate limits count per: the method and the subject, so a key and a token never share a bucket. */
    String rateKey() {
        return method + ":" + subject;
    }

    /** The value of the identity header: one JSON object. */
    String header() {
        String made = header;
        if (made == null) {
            Map<String, Object> auth = new LinkedHashMap<>();
            auth.put("method", method);
            auth.put("subject", subject);
            auth.put("key", key);
            auth.put("scopes", scopes);
            auth.put("claims", claims);
            try {
                made = JSON.writeValueAsString(auth);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            header = made;
        }
        return made;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CallerIdentity that && method.equals(that.method) && subject.equals(that.subject)
                && Objects.equals(key, that.key) && scopes.equals(that.scopes) && tasks.equals(that.tasks)
                && claims.equals(that.claims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, subject, key, scopes, tasks, claims);
    }

    /** Without the claims, which may be personal data. */
    @Override
    public String toString() {
        return "CallerIdentity[" + method + " " + subject + (key == null ? "" : ", key " + key) + ", scopes " + scopes + "]";
    }
}
