package dev.metropolis.gateway;

import dev.metropolis.task.AccessPolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the gateway's auth file (JSON; the README's "Securing the gateway" shows one):
 * <pre>{@code
 * {"default": "required",
 *  "api_keys": [{"name": "ci", "sha256": "<64 hex>", "scopes": ["orders.write"], "tasks": ["orders"]}],
 *  "jwt": {"issuer": "...", "audience": "...", "jwks": "https://.../jwks.json", "secret_env": "JWT_SECRET",
 *          "scope_claim": "scope", "clock_skew": "30s"}}
 * }</pre>
 * Secrets never sit in the file: keys are hashes, the HS256 secret is named by an environment variable.
 */
final class AuthFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("default", "api_keys", "jwt");
    private static final Set<String> KEY = Set.of("name", "sha256", "scopes", "tasks");
    private static final Set<String> JWT = Set.of("issuer", "audience", "jwks", "secret_env", "scope_claim", "clock_skew");
    static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

    private AuthFile() {}

    /** The authenticator a file's content describes; throws saying what is wrong in it. */
    static Authenticator parse(byte[] content, Map<String, String> env) {
        try {
            return parse(JSON.readTree(content), env);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    static Authenticator parse(JsonNode root, Map<String, String> env) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("must hold one JSON object");
        }
        onlyKnown(root, TOP, "");
        AccessPolicy policy = root.has("default") ? policy(root.get("default")) : AccessPolicy.REQUIRED;
        List<ApiKeys.Entry> keys = new ArrayList<>();
        for (JsonNode key : root.path("api_keys")) {
            onlyKnown(key, KEY, "api_keys[].");
            String name = text(key, "name", "api_keys[]");
            keys.add(new ApiKeys.Entry(name, ApiKeys.hex(name, text(key, "sha256", "api key '" + name + "'")),
                    strings(key.path("scopes")), strings(key.path("tasks"))));
        }
        JsonNode jwt = root.get("jwt");
        return new Authenticator(policy, new ApiKeys(keys), jwt == null ? null : new JwtVerifier(jwt(jwt, env)));
    }

    private static JwtVerifier.Settings jwt(JsonNode jwt, Map<String, String> env) {
        onlyKnown(jwt, JWT, "jwt.");
        byte[] secret = null;
        if (jwt.has("secret_env")) {
            String variable = jwt.get("secret_env").asText();
            String value = env.get(variable);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("jwt.secret_env names " + variable + ", which is not set");
            }
            secret = value.getBytes(StandardCharsets.UTF_8);
        }
        return new JwtVerifier.Settings(optional(jwt, "issuer"), optional(jwt, "audience"), secret, optional(jwt, "jwks"),
                jwt.has("scope_claim") ? jwt.get("scope_claim").asText() : "scope",
                jwt.has("clock_skew") ? Durations.parse(jwt.get("clock_skew").asText()) : DEFAULT_SKEW);
    }

    private static AccessPolicy policy(JsonNode value) {
        if (value.isArray()) {
            return AccessPolicy.scopes(strings(value));
        }
        AccessPolicy policy = AccessPolicy.parse(value.asText());
        return policy;
    }

    /** Unknown keys are refused with the known ones named: a misspelt "api_key" must not silently mean no keys. */
    private static void onlyKnown(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown key '" + prefix + name + "'; known: "
                        + known.stream().sorted().toList());
            }
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(where + " needs \"" + field + "\"");
        }
        return value.asText();
    }

    private static String optional(JsonNode node, String field) {
        return node.has(field) ? node.get(field).asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
