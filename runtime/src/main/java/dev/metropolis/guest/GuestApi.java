package dev.metropolis.guest;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Durations;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The host functions one context's adapter calls for {@code metropolis.request}, {@code publish},
 * {@code env} and {@code secret}. Each answers a small array the adapter turns into a value or an
 * error: {@code [OK, ...]}, {@code [FAILED, code, kind, message]} (a {@code CallError}),
 * {@code [DENIED, message]} (a {@code GrantError}) or {@code [INVALID, message]} (a bad argument).
 */
final class GuestApi {
    // Answer kinds, mirrored in metropolis.py and metropolis.js.
    static final int OK = 0;
    static final int FAILED = 1;
    static final int DENIED = 2;
    static final int INVALID = 3;

    private final TaskScript script;
    private final CallScope scope;
    private final GuestLanguage language;
    private final GuestCalls calls;
    private final GuestHttp http;
    private final GuestKv kv;
    private final GuestSecrets secrets;
    private final Map<String, Object> environment;

    GuestApi(TaskScript script, CallScope scope, GuestLanguage language, GuestCalls calls, GuestHttp http, GuestKv kv,
            GuestSecrets secrets, Map<String, String> hostEnvironment) {
        this.script = script;
        this.scope = scope;
        this.language = language;
        this.calls = calls;
        this.http = http;
        this.kv = kv;
        this.secrets = secrets;
        this.environment = new LinkedHashMap<>();
        for (String name : script.header().allow().env()) {
            if (hostEnvironment.containsKey(name)) {
                environment.put(name, hostEnvironment.get(name));
            }
        }
    }

    /** The object handed to the adapter's {@code bind}. */
    ProxyObject asGuestObject() {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("request", (ProxyExecutable) this::request);
        members.put("publish", (ProxyExecutable) this::publish);
        members.put("secret", (ProxyExecutable) this::secret);
        members.put("http", (ProxyExecutable) this::http);
        members.put("kv", (ProxyExecutable) this::kv);
        List<Object> env = new ArrayList<>();
        environment.forEach((name, value) -> {
            env.add(name);
            env.add(value);
        });
        members.put("env", ProxyArray.fromList(env)); // [name, value, ...]: the adapters build their own mapping
        return ProxyObject.fromMap(members);
    }

    /** request(subject, [kind, value], timeout or null, [name, value, ...] or null). */
    private Object request(Value... args) {
        try {
            GuestCalls.Outcome outcome = calls.request(scope, args[0].asString(), body(args[1]), timeout(args[2]),
                    headers(args[3]));
            return switch (outcome) {
                case GuestCalls.Answered answered -> answer(OK, answered.payload().kind().ordinal(),
                        answered.payload().text(), calls.raw(answered));
                case GuestCalls.Failed failed -> answer(FAILED, failed.code(), failed.kind(), failed.message());
                case GuestCalls.Refused refused -> answer(DENIED, refused.message());
            };
        } catch (IllegalArgumentException e) {
            return answer(INVALID, e.getMessage());
        }
    }

    /** publish(subject, [kind, value], [name, value, ...] or null). */
    private Object publish(Value... args) {
        try {
            GuestCalls.Refused refused = calls.publish(scope, args[0].asString(), body(args[1]), headers(args[2]));
            return refused == null ? answer(OK) : answer(DENIED, refused.message());
        } catch (IllegalArgumentException e) {
            return answer(INVALID, e.getMessage());
        }
    }

    /** http(method, url, [name, value, ...] or null, [kind, value], timeout or null). */
    private Object http(Value... args) {
        try {
            GuestHttp.Outcome outcome = http.send(scope, args[0].asString(), args[1].asString(), headers(args[2]),
                    body(args[3]), timeout(args[4]));
            return switch (outcome) {
                case GuestHttp.Response response -> answer(OK, response.status(), ProxyArray.fromList(
                        List.copyOf(response.headers())), GuestHttp.text(response.body()), bytes(response.body()),
                        response.url());
                case GuestCalls.Failed failed -> answer(FAILED, failed.code(), failed.kind(), failed.message());
                case GuestCalls.Refused refused -> answer(DENIED, refused.message());
            };
        } catch (IllegalArgumentException e) {
            return answer(INVALID, e.getMessage());
        }
    }

    /** kv(operation, bucket, key, [kind, value] or null, revision or null). */
    private Object kv(Value... args) {
        String operation = args[0].asString();
        String bucket = args[1].asString();
        String key = args[2].isNull() ? null : args[2].asString();
        GuestKv.Result result;
        try {
            result = switch (operation) {
                case "check" -> kv.check(bucket);
                case "get" -> kv.get(bucket, key);
                case "put" -> kv.put(bucket, key, body(args[3]).body());
                case "update" -> kv.update(bucket, key, body(args[3]).body(), args[4].asLong());
                case "delete" -> kv.delete(bucket, key);
                case "keys" -> kv.keys(bucket);
                default -> throw new IllegalArgumentException("no key-value operation '" + operation + "'");
            };
        } catch (IllegalArgumentException e) {
            return answer(INVALID, e.getMessage());
        }
        return switch (result) {
            case GuestKv.Entry entry when entry.value() == null -> answer(OK, 0);
            case GuestKv.Entry entry -> {
                Payload payload = Payload.classify(null, entry.value());
                yield answer(OK, entry.revision(), payload.kind().ordinal(), payload.text(),
                        language.rawArgument(entry.value(), payload));
            }
            case GuestKv.Keys keys -> answer(OK, ProxyArray.fromList(List.copyOf(keys.keys())));
            case GuestKv.Revision revision -> answer(OK, revision.revision());
            case GuestKv.Done done -> answer(OK);
            case GuestKv.Failed failed -> answer(FAILED, failed.code(), failed.kind(), failed.message());
            case GuestKv.Denied denied -> answer(DENIED, denied.message());
        };
    }

    /** Raw bytes as the adapter reads them (a latin-1 string for Python, a buffer for JavaScript). */
    private Object bytes(byte[] data) {
        return language.rawArgument(data, BYTES);
    }

    /** secret(name). */
    private Object secret(Value... args) {
        String name = args[0].asString();
        if (!secrets.granted(name)) {
            return answer(DENIED, script.refusal("read secret '" + name + "'", "secrets", name));
        }
        try {
            return answer(OK, secrets.read(name));
        } catch (IOException e) {
            return answer(FAILED, 500, "crashed", "secret '" + name + "' cannot be read: " + e.getMessage());
        }
    }

    /** A body the adapter encoded as a reply is encoded: [kind, value]. */
    private static TaskReply body(Value encoded) {
        try {
            return GuestResults.reply(encoded);
        } catch (TaskError e) {
            throw new IllegalArgumentException("the body cannot be sent: " + e.getMessage(), e);
        }
    }

    /** A number of seconds or a duration string ("250ms"); null for none. */
    private static Duration timeout(Value value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isString()) {
            return Durations.parseOrSeconds(value.asString());
        }
        if (value.isNumber() && value.fitsInDouble() && Double.isFinite(value.asDouble())) {
            return Durations.ofSeconds(BigDecimal.valueOf(value.asDouble()), String.valueOf(value.asDouble()));
        }
        throw new IllegalArgumentException("timeout must be a number of seconds or a duration such as \"250ms\"");
    }

    private static Map<String, String> headers(Value flat) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (flat == null || flat.isNull()) {
            return headers;
        }
        for (long i = 0; i + 1 < flat.getArraySize(); i += 2) {
            String name = flat.getArrayElement(i).asString();
            if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
                throw new IllegalArgumentException("'" + name + "' is not a header name");
            }
            Value value = flat.getArrayElement(i + 1);
            headers.put(name, value.isString() ? value.asString() : value.toString());
        }
        return headers;
    }

    private static final Payload BYTES = new Payload(Payload.BodyKind.BYTES, null);

    private static ProxyArray answer(Object... parts) {
        return ProxyArray.fromArray(parts);
    }
}
