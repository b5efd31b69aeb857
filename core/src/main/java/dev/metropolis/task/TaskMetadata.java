package dev.metropolis.task;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a host publishes about a task in its micro service's {@code $SRV.INFO} metadata, and what
 * the gateway reads back: the one definition of the {@code metropolis.*} keys.
 *
 * @param task        the task's name (its file name without the extension)
 * @param language    "python" or "js"
 * @param file        the script's file name
 * @param subjects    the subjects served
 * @param queue       the queue group
 * @param version     the script's version
 * @param timeout     the task's own timeout
 * @param concurrency most calls at once per host
 * @param http        the route the script declared, or null for the default routes
 * @param allow       what the script is granted beyond answering, by {@code [allow]} key (subjects, http,
 *                    env, secrets, kv); published so an operator sees what each task may do
 * @param trigger     what runs the task: {@link #REQUEST_TRIGGER}, or a stream or schedule described
 *                    in one line ({@code stream ORDERS orders.created durable billing})
 * @param async       whether the gateway runs the task's requests as jobs by default (header key {@code async})
 * @param streamTimeout for a task whose function is a generator (it streams its reply in chunks), the
 *                    longest a whole stream may take ({@code stream_timeout}); null for a task that replies once
 */
public record TaskMetadata(String task, String language, String file, List<String> subjects, String queue,
        String version, Duration timeout, int concurrency, HttpRoute http, Map<String, List<String>> allow,
        String trigger, boolean async, Duration streamTimeout) {

    public static final String TASK = "metropolis.task";
    public static final String LANGUAGE = "metropolis.language";
    public static final String FILE = "metropolis.file";
    public static final String SUBJECTS = "metropolis.subjects";
    public static final String QUEUE = "metropolis.queue";
    public static final String VERSION = "metropolis.version";
    public static final String TIMEOUT_MS = "metropolis.timeout_ms";
    public static final String CONCURRENCY = "metropolis.concurrency";
    public static final String HTTP = "metropolis.http";
    public static final String TRIGGER = "metropolis.trigger";
    /**
     * The task's access policy at the gateway, from its header's {@code auth}: "public", "required",
     * or scopes joined by commas ("scope:orders.write"); absent means the gateway's default.
     */
    public static final String AUTH = "metropolis.auth";
    /** The task's rate limit at the gateway, from its header's {@code rate}: "100/s"; absent means the gateway's. */
    public static final String RATE = "metropolis.rate";
    /** "true" when the task's routes answer 202 and run as jobs; left out otherwise. */
    public static final String ASYNC = "metropolis.async";
    /**
     * The task's input JSON Schema (draft 2020-12) as JSON text, on each endpoint of its {@code $SRV.INFO}
     * (the micro-service convention puts schemas on endpoints); absent when the header declares none.
     */
    public static final String INPUT = "metropolis.input";
    /** The task's output JSON Schema as JSON text, on each endpoint; absent when the header declares none. */
    public static final String OUTPUT = "metropolis.output";
    /**
     * How the task's messages look: {@link #ENVELOPE_WIRE} for a task written for the original Metropolis
     * framework (a JSON object of keyword arguments in, {@code {"code", "data"}} out); absent for a native task.
     */
    public static final String WIRE = "metropolis.wire";
    /** The value of {@link #WIRE} for the original Metropolis wire form. */
    public static final String ENVELOPE_WIRE = "envelope";
    /** Set only for a streaming task (a generator): the longest its whole stream may take, in milliseconds. */
    public static final String STREAM_TIMEOUT_MS = "metropolis.stream_timeout_ms";
    /** The trigger of a task that answers requests: the default, and what a host that announces none means. */
    public static final String REQUEST_TRIGGER = "request";
    /**
     * The name of the host announcing the task (the service instance's, not the task's: the same
     * task on two hosts announces two names). The console lists the hosts serving each task.
     */
    public static final String HOST = "metropolis.host";
    /** Followed by a grant's key: {@code metropolis.allow.subjects = "inventory.*,audit.>"}. */
    public static final String ALLOW_PREFIX = "metropolis.allow.";

    /** The hosts' default timeout, assumed when a host announced none (or one that cannot be read). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a whole stream may take when the script's header sets no {@code stream_timeout}. */
    public static final Duration DEFAULT_STREAM_TIMEOUT = Duration.ofMinutes(5);

    public TaskMetadata {
        Objects.requireNonNull(task, "task");
        subjects = List.copyOf(subjects);
        Objects.requireNonNull(timeout, "timeout");
        Map<String, List<String>> grants = new LinkedHashMap<>();
        allow.forEach((key, values) -> grants.put(key, List.copyOf(values)));
        allow = java.util.Collections.unmodifiableMap(grants);
        trigger = trigger == null || trigger.isBlank() ? REQUEST_TRIGGER : trigger;
    }

    /** A task that replies once (not a stream). */
    public TaskMetadata(String task, String language, String file, List<String> subjects, String queue,
            String version, Duration timeout, int concurrency, HttpRoute http, Map<String, List<String>> allow,
            String trigger, boolean async) {
        this(task, language, file, subjects, queue, version, timeout, concurrency, http, allow, trigger, async, null);
    }

    /** Whether the task streams its reply in chunks. */
    public boolean streams() {
        return streamTimeout != null;
    }

    /** A task whose requests are answered when it has replied. */
    public TaskMetadata(String task, String language, String file, List<String> subjects, String queue, String version,
            Duration timeout, int concurrency, HttpRoute http, Map<String, List<String>> allow, String trigger) {
        this(task, language, file, subjects, queue, version, timeout, concurrency, http, allow, trigger, false);
    }

    /** A task that answers requests. */
    public TaskMetadata(String task, String language, String file, List<String> subjects, String queue, String version,
            Duration timeout, int concurrency, HttpRoute http, Map<String, List<String>> allow) {
        this(task, language, file, subjects, queue, version, timeout, concurrency, http, allow, REQUEST_TRIGGER);
    }

    /** Whether the task answers requests (and so has routes), rather than running from a stream or schedule. */
    public boolean answersRequests() {
        return trigger.equals(REQUEST_TRIGGER);
    }

    /** A task granted nothing beyond answering. */
    public TaskMetadata(String task, String language, String file, List<String> subjects, String queue, String version,
            Duration timeout, int concurrency, HttpRoute http) {
        this(task, language, file, subjects, queue, version, timeout, concurrency, http, Map.of());
    }

    /** The endpoint metadata carrying a task's schemas (JSON text, or null for none): only the keys of those declared. */
    public static Map<String, String> schemas(String input, String output) {
        Map<String, String> map = new LinkedHashMap<>();
        if (input != null) {
            map.put(INPUT, input);
        }
        if (output != null) {
            map.put(OUTPUT, output);
        }
        return map;
    }

    /** Whether a service's metadata is a Metropolis task's (other micro services share the account). */
    public static boolean isTask(Map<String, String> metadata) {
        return metadata.containsKey(TASK);
    }

    /** Whether announced metadata says the task speaks the original Metropolis wire form. */
    public static boolean isEnvelope(Map<String, String> metadata) {
        return ENVELOPE_WIRE.equals(metadata.get(WIRE));
    }

    /** The metadata map as published, in a stable order. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(TASK, task);
        map.put(LANGUAGE, language);
        map.put(FILE, file);
        map.put(SUBJECTS, String.join(",", subjects));
        map.put(QUEUE, queue);
        map.put(VERSION, version);
        map.put(TIMEOUT_MS, Long.toString(timeout.toMillis()));
        map.put(CONCURRENCY, Integer.toString(concurrency));
        if (http != null) {
            map.put(HTTP, http.toString());
        }
        allow.forEach((key, values) -> map.put(ALLOW_PREFIX + key, String.join(",", values)));
        if (!answersRequests()) {
            map.put(TRIGGER, trigger); // left out for request/reply, so older gateways see what they always saw
        }
        if (async) {
            map.put(ASYNC, "true");
        }
        if (streamTimeout != null) {
            map.put(STREAM_TIMEOUT_MS, Long.toString(streamTimeout.toMillis()));
        }
        return map;
    }

    /**
     * Reads announced metadata, leniently: hosts of other versions may leave keys out, and a
     * value that cannot be read takes its default rather than hiding the task. A declared route
     * that cannot be read is dropped (the task keeps its default routes).
     */
    public static TaskMetadata fromMap(Map<String, String> map) {
        Map<String, List<String>> allow = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (key.startsWith(ALLOW_PREFIX) && !value.isEmpty()) {
                allow.put(key.substring(ALLOW_PREFIX.length()), list(value));
            }
        });
        return new TaskMetadata(map.get(TASK), map.get(LANGUAGE), map.get(FILE), list(map.getOrDefault(SUBJECTS, "")),
                map.get(QUEUE), map.get(VERSION), Duration.ofMillis(number(map.get(TIMEOUT_MS), DEFAULT_TIMEOUT.toMillis())),
                (int) number(map.get(CONCURRENCY), 0), route(map.get(HTTP)), allow, map.get(TRIGGER),
                "true".equals(map.get(ASYNC)), streamTimeout(map.get(STREAM_TIMEOUT_MS)));
    }

    /** A stream timeout read back: null when absent; an unreadable one still marks a streaming task. */
    private static Duration streamTimeout(String value) {
        if (value == null) {
            return null;
        }
        long millis = number(value, DEFAULT_STREAM_TIMEOUT.toMillis());
        return Duration.ofMillis(millis > 0 ? millis : DEFAULT_STREAM_TIMEOUT.toMillis());
    }

    private static List<String> list(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }

    private static long number(String value, long fallback) {
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static HttpRoute route(String value) {
        try {
            return value == null || value.isEmpty() ? null : HttpRoute.parse(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
