package dev.metropolis.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3.1 document of what the gateway serves now, built from discovery: a path per route,
 * an operation per method, the task's input and output schemas, the error responses of
 * {@link ErrorKind}'s table with the JSON error body, and the auth file's security schemes. Pure:
 * the same routes and policy give the same document.
 */
final class OpenApiDocument {
    static final String OPENAPI = "3.1.0";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> ANY_METHOD = List.of("get", "post", "put", "patch", "delete");
    private static final String ERROR_REF = "#/components/schemas/Error";

    private OpenApiDocument() {}

    /** The document for {@code routes} under {@code edge}; {@code jwt} says whether bearer tokens may be JWTs. */
    static ObjectNode of(RouteTable routes, EdgePolicy edge, boolean jwt) {
        ObjectNode paths = NODES.objectNode();
        Map<String, ObjectNode> byPath = new TreeMap<>();
        for (TaskRoute route : routes.routes()) {
            ObjectNode item = byPath.computeIfAbsent(path(route), key -> NODES.objectNode());
            for (String method : route.method() == null ? ANY_METHOD : List.of(route.method().toLowerCase(Locale.ROOT))) {
                item.set(method, operation(route, method, edge));
            }
            if (route.pattern().stream().anyMatch(segment -> segment.equals("*") || segment.equals(">"))) {
                item.set("parameters", pathParameters(route));
            }
        }
        byPath.forEach(paths::set);
        GatewayPaths.add(paths, edge);
        ObjectNode document = NODES.objectNode();
        document.put("openapi", OPENAPI);
        document.set("info", info(paths));
        document.put("jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema");
        document.set("paths", paths);
        document.set("components", components(edge, jwt));
        return document;
    }

    /** The version is a digest of the paths: it changes whenever a host or a script changes what is served. */
    private static ObjectNode info(ObjectNode paths) {
        ObjectNode info = NODES.objectNode();
        info.put("title", "Metropolis tasks");
        info.put("description", "Every task announced on NATS, as this gateway serves it now (generated from discovery).");
        info.put("version", digest(paths.toString()));
        return info;
    }

    /** "/orders/{token1}" for the pattern [orders, *]; "{rest}" for a trailing '>'. */
    static String path(TaskRoute route) {
        StringBuilder path = new StringBuilder();
        int tokens = 0;
        for (String segment : route.pattern()) {
            path.append('/');
            if (segment.equals("*") && !route.custom()) {
                path.append("{token").append(++tokens).append('}');
            } else if (segment.equals(">") && !route.custom()) {
                path.append("{rest}");
            } else {
                path.append(segment);
            }
        }
        return path.isEmpty() ? "/" : path.toString();
    }

    private static ArrayNode pathParameters(TaskRoute route) {
        ArrayNode parameters = NODES.arrayNode();
        int tokens = 0;
        for (String segment : route.pattern()) {
            boolean rest = segment.equals(">");
            if (route.custom() || !rest && !segment.equals("*")) {
                continue;
            }
            ObjectNode parameter = parameters.addObject();
            parameter.put("name", rest ? "rest" : "token" + ++tokens);
            parameter.put("in", "path");
            parameter.put("required", true);
            parameter.put("description", rest ? "the rest of the path: its segments become the subject's last tokens"
                    : "one subject token (the '*' of " + route.subject() + ")");
            parameter.putObject("schema").put("type", "string");
        }
        return parameters;
    }

    private static ObjectNode operation(TaskRoute route, String method, EdgePolicy edge) {
        ObjectNode operation = NODES.objectNode();
        operation.putArray("tags").add(route.task());
        operation.put("summary", route.task() + " " + route.version() + " (" + route.language() + ")");
        operation.put("description", (route.description().isEmpty() ? "" : route.description() + "\n\n")
                + "NATS subject `" + route.subject() + "`" + (method.equals("get") || method.equals("delete")
                        ? "; the query parameters are sent as a JSON object ({\"name\": \"value\"}, repeated names as lists)"
                        : ""));
        operation.put("operationId", method + "_" + route.task() + "_" + route.subject().replaceAll("[^A-Za-z0-9]", "_"));
        if (!method.equals("get") && !method.equals("delete")) {
            operation.set("requestBody", requestBody(route));
        }
        operation.set("responses", responses(route, edge));
        AccessPolicy policy = edge.policy(route);
        if (edge.enforced()) {
            operation.set("security", security(policy));
        }
        operation.put("x-metropolis-subject", route.subject());
        operation.put("x-metropolis-version", route.version());
        return operation;
    }

    private static ObjectNode requestBody(TaskRoute route) {
        ObjectNode body = NODES.objectNode();
        JsonNode input = route.schemas().input();
        body.put("required", input != null);
        body.put("description", input != null ? "checked against the task's input schema before it runs (422 if not)"
                : "any payload: JSON, text or bytes, decoded by its Content-Type");
        body.putObject("content").putObject(input != null ? "application/json" : "*/*")
                .set("schema", input != null ? input : NODES.objectNode());
        return body;
    }

    private static ObjectNode responses(TaskRoute route, EdgePolicy edge) {
        ObjectNode responses = NODES.objectNode();
        ObjectNode ok = responses.putObject("200");
        JsonNode output = route.schemas().output();
        ok.put("description", "the task's reply");
        ok.putObject("content").putObject(output != null ? "application/json" : "*/*")
                .set("schema", output != null ? output : NODES.objectNode());
        ObjectNode accepted = responses.putObject("202");
        accepted.put("description", "accepted as a job (Prefer: respond-async" + (route.async() ? ", or always: the task is"
                + " async" : "") + "); GET the Location for its state");
        boolean open = edge.policy(route).kind() == AccessPolicy.Kind.PUBLIC;
        for (Map.Entry<Integer, String> status : ErrorStatuses.table().entrySet()) {
            int code = status.getKey();
            if (open && (code == 401 || code == 403) || code == 405 && route.method() == null) {
                continue;
            }
            responses.set(Integer.toString(code), ErrorStatuses.ref(code));
        }
        return responses;
    }

    static ArrayNode security(AccessPolicy policy) {
        ArrayNode security = NODES.arrayNode();
        if (policy.kind() == AccessPolicy.Kind.PUBLIC) {
            return security; // [] = no credential needed
        }
        for (String scheme : List.of("apiKey", "bearer")) {
            ArrayNode scopes = security.addObject().putArray(scheme);
            policy.scopes().forEach(scopes::add);
        }
        return security;
    }

    private static ObjectNode components(EdgePolicy edge, boolean jwt) {
        ObjectNode components = NODES.objectNode();
        components.putObject("schemas").set("Error", ErrorStatuses.errorSchema());
        ObjectNode responses = components.putObject("responses");
        ErrorStatuses.table().forEach((code, kinds) -> {
            ObjectNode response = responses.putObject(Integer.toString(code));
            response.put("description", kinds);
            response.putObject("content").putObject("application/json").putObject("schema").put("$ref", ERROR_REF);
        });
        if (edge.enforced()) {
            ObjectNode schemes = components.putObject("securitySchemes");
            schemes.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", AccessFilter.API_KEY.defaultCase())
                    .put("description", "an API key from the gateway's auth file (also accepted as a Bearer token)");
            ObjectNode bearer = schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
            if (jwt) {
                bearer.put("bearerFormat", "JWT");
            }
            bearer.put("description", jwt ? "a JWT verified against the auth file's jwt section, or an API key"
                    : "an API key (this gateway accepts no JWTs)");
        }
        return components;
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "0.0.0+" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
