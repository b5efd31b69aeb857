package dev.metropolis.script;

import dev.metropolis.task.AccessPolicy;
import dev.metropolis.task.HttpRoute;
import dev.metropolis.task.Rate;
import dev.metropolis.task.TaskMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a script's {@code /// metropolis} header declares: the subjects it serves and its limits.
 *
 * @param subjects    NATS subjects served (wildcards allowed), at least one
 * @param queue       NATS queue group shared by all hosts serving the script
 * @param function    name of the guest function called per message
 * @param timeout     longest a message may take, from its arrival to its reply
 * @param concurrency most calls running at once, which is also the most pooled contexts
 * @param maxPending  most messages waiting for a free context before new ones are answered "busy"
 * @param version     semantic version published in service discovery
 * @param description one line for discovery, may be empty
 * @param http        the gateway route to the first subject, "METHOD /path" or "/path" (any
 *                    method), or empty for the default routes derived from the subjects
 * @param allow       what the script may do beyond answering (its {@code [allow]} table)
 * @param trigger     what runs the task: requests on the subjects, a JetStream stream holding them, or a
 *                    schedule (which needs no subjects: its ticks have one of their own)
 * @param auth        who may call it through the gateway ({@code auth}): null for the gateway's default
 * @param rate        its rate limit at the gateway per caller ({@code rate = "100/s"}): null for the gateway's
 * @param async       whether the gateway answers the task's routes 202 at once and runs them as jobs
 *                    (as if every request said {@code Prefer: respond-async})
 * @param schemas     the JSON Schemas of its input (checked before it runs) and output ({@code input}, {@code output})
 * @param streamTimeout the longest a streamed reply (a generator task's) may take in all, from the
 *                    message's arrival to its last chunk; {@code timeout} bounds each wait for a chunk
 */
public record ScriptHeader(
        List<String> subjects,
        String queue,
        String function,
        Duration timeout,
        int concurrency,
        int maxPending,
        String version,
        String description,
        String http,
        Grants allow,
        Trigger trigger,
        AccessPolicy auth,
        Rate rate,
        boolean async,
        TaskSchemas schemas,
        Duration streamTimeout) {

    public static final String DEFAULT_QUEUE = "metropolis";
    public static final String DEFAULT_FUNCTION = "handle";
    public static final Duration DEFAULT_TIMEOUT = TaskMetadata.DEFAULT_TIMEOUT;
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_MAX_PENDING = 256;
    public static final String DEFAULT_VERSION = "0.0.0";
    public static final Duration DEFAULT_STREAM_TIMEOUT = TaskMetadata.DEFAULT_STREAM_TIMEOUT;

    // NATS subject tokens: no whitespace, no empty tokens; '*' alone as a token; '>' only last.
    private static final Pattern TOKEN = Pattern.compile("[^\\s.*>]+|\\*");
    private static final Pattern QUEUE = Pattern.compile("[^\\s.*>]+(\\.[^\\s.*>]+)*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    // Semantic versioning 2.0.0, as the NATS service API requires.
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");

    public ScriptHeader {
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(trigger, "trigger");
        subjects = List.copyOf(Objects.requireNonNull(subjects, "subjects"));
        if (subjects.isEmpty() && !(trigger instanceof Trigger.Schedule)) {
            throw new IllegalArgumentException("at least one subject is required");
        }
        subjects.forEach(ScriptHeader::checkSubject);
        if (trigger instanceof Trigger.Stream && subjects.size() != 1) {
            // nats-server 2.9 consumers take one filter subject (several came with 2.10).
            throw new IllegalArgumentException("a stream task consumes one subject (a wildcard may cover several),"
                    + " got " + subjects.size());
        }
        if (trigger instanceof Trigger.Stream stream && !stream.retry().deadLetter().isEmpty()
                && dev.metropolis.nats.Subjects.matches(subjects.getFirst(), stream.retry().deadLetter())) {
            // The dead letters would be stored in the task's own stream and consumed again, forever.
            throw new IllegalArgumentException("dead_letter '" + stream.retry().deadLetter() + "' is matched by the task's"
                    + " subject '" + subjects.getFirst() + "'; choose a subject outside it, e.g. \"dead."
                    + subjects.getFirst().replace(".>", "").replace(".*", "") + "\"");
        }
        if (!QUEUE.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue group '" + queue + "' is not a valid NATS queue name");
        }
        if (!IDENTIFIER.matcher(function).matches()) {
            throw new IllegalArgumentException("function '" + function + "' is not a valid identifier");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (concurrency < 1 || concurrency > 1024) {
            throw new IllegalArgumentException("concurrency must be between 1 and 1024, got " + concurrency);
        }
        if (maxPending < 0 || maxPending > 1_000_000) {
            throw new IllegalArgumentException("max_pending must be between 0 and 1000000, got " + maxPending);
        }
        if (!SEMVER.matcher(version).matches()) {
            throw new IllegalArgumentException("version '" + version + "' is not a semantic version like 1.2.0");
        }
        Objects.requireNonNull(description, "description");
        if (!http.isEmpty()) {
            HttpRoute.parse(http); // throws saying what a route looks like
        }
        if (!http.isEmpty() && !(trigger instanceof Trigger.Request)) {
            throw new IllegalArgumentException("http route '" + http + "' needs a task that answers requests;"
                    + " a stream or schedule task has no reply to give");
        }
        if ((auth != null || rate != null) && !(trigger instanceof Trigger.Request)) {
            throw new IllegalArgumentException("'" + (auth != null ? "auth" : "rate") + "' applies at the gateway, to a"
                    + " task that answers requests; a stream or schedule task is not called over HTTP");
        }
        if (!http.isEmpty() && (subjects.getFirst().contains("*") || subjects.getFirst().contains(">"))) {
            throw new IllegalArgumentException("http route '" + http + "' maps to the first subject, '"
                    + subjects.getFirst() + "', which has wildcards; list a plain subject first");
        }
        if (schemas.output() != null && !(trigger instanceof Trigger.Request)) {
            throw new IllegalArgumentException("'output' describes a reply; a stream or schedule task has none to give");
        }
        if (async && !(trigger instanceof Trigger.Request)) {
            throw new IllegalArgumentException("async = true needs a task that answers requests; a stream or schedule"
                    + " task is asynchronous already");
        }
        Objects.requireNonNull(streamTimeout, "streamTimeout");
        if (streamTimeout.compareTo(timeout) < 0) {
            throw new IllegalArgumentException("stream_timeout (" + dev.metropolis.task.Durations.format(streamTimeout)
                    + ") is shorter than timeout (" + dev.metropolis.task.Durations.format(timeout) + "), which already"
                    + " bounds the wait for the first chunk; make stream_timeout at least the timeout");
        }
    }

    /** A header whose streamed replies (if its function is a generator) get the default stream timeout. */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http, Grants allow, Trigger trigger,
            AccessPolicy auth, Rate rate, boolean async, TaskSchemas schemas) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, allow, trigger,
                auth, rate, async, schemas, longest(DEFAULT_STREAM_TIMEOUT, timeout));
    }

    /** A header without schemas, with a stream timeout of its own. */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http, Grants allow, Trigger trigger,
            AccessPolicy auth, Rate rate, boolean async, Duration streamTimeout) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, allow, trigger,
                auth, rate, async, TaskSchemas.NONE, streamTimeout);
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A header without schemas. */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http, Grants allow, Trigger trigger,
            AccessPolicy auth, Rate rate, boolean async) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, allow, trigger,
                auth, rate, async, TaskSchemas.NONE);
    }

    /** A header without a gateway policy of its own, whose routes answer when the task has (not asynchronous). */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http, Grants allow, Trigger trigger) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, allow, trigger,
                null, null, false);
    }

    /** A request/reply task's header. */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http, Grants allow) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, allow,
                Trigger.Request.INSTANCE);
    }

    /** A header that grants nothing. */
    public ScriptHeader(List<String> subjects, String queue, String function, Duration timeout, int concurrency,
            int maxPending, String version, String description, String http) {
        this(subjects, queue, function, timeout, concurrency, maxPending, version, description, http, Grants.NONE);
    }

    /** Checks one NATS subject, wildcards allowed; throws with a message saying what is wrong. */
    public static void checkSubject(String subject) {
        String[] tokens = subject.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            boolean last = i == tokens.length - 1;
            if (token.equals(">") && last) {
                continue;
            }
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("subject '" + subject + "' is not a valid NATS subject"
                        + " (tokens are separated by single dots; '*' matches one token, '>' only at the end)");
            }
        }
    }
}
