package dev.metropolis.script;

import dev.metropolis.nats.Subjects;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a script may do beyond answering its messages, as its header's {@code [allow]} table grants
 * it. Everything not granted here is denied.
 *
 * @param subjects NATS subjects it may request or publish to (wildcards allowed)
 * @param http     HTTP origins it may call
 * @param env      environment variables it may read
 * @param secrets  secrets (files in the host's secrets folder) it may read
 * @param kv       JetStream key-value buckets it may use
 * @param files    data files in the scripts folder it may open read-only, as globs relative to the folder
 */
public record Grants(List<String> subjects, List<Origin> http, List<String> env, List<String> secrets, List<String> kv,
        List<String> files) {
    /** Nothing granted: the default. */
    public static final Grants NONE = new Grants(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /** The keys of {@code [allow]}, in the order messages list them. */
    public static final List<String> KEYS = List.of("subjects", "http", "env", "secrets", "kv", "files");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final Pattern BUCKET_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    public Grants {
        subjects = List.copyOf(subjects);
        http = List.copyOf(http);
        env = List.copyOf(env);
        secrets = List.copyOf(secrets);
        kv = List.copyOf(kv);
        files = List.copyOf(files);
        subjects.forEach(ScriptHeader::checkSubject);
        env.forEach(name -> check(ENV_NAME, name, "an environment variable name such as \"TAX_RATE\""));
        secrets.forEach(name -> check(SECRET_NAME, name, "a secret's file name such as \"payment_key\" (no '/')"));
        kv.forEach(name -> check(BUCKET_NAME, name, "a bucket name such as \"carts\" (letters, digits, '-', '_')"));
        files.forEach(Grants::checkFileGlob);
    }

    private static void check(Pattern pattern, String value, String what) {
        if (!pattern.matcher(Objects.requireNonNull(value)).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not " + what);
        }
    }

    /** A file grant is a glob inside the scripts folder: relative, no "..", and a valid glob. */
    private static void checkFileGlob(String glob) {
        Objects.requireNonNull(glob);
        if (glob.isEmpty() || glob.startsWith("/") || glob.startsWith("\\") || glob.matches("^[A-Za-z]:.*")) {
            throw new IllegalArgumentException("'" + glob + "' is not a path relative to the scripts folder, such as \"data/*.json\"");
        }
        if (List.of(glob.split("[/\\\\]")).contains("..")) {
            throw new IllegalArgumentException("'" + glob + "' leaves the scripts folder ('..'); grant files inside it, such as \"data/*.json\"");
        }
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + glob + "' is not a valid glob (" + e.getMessage() + ")", e);
        }
    }

    /** Whether the script may open {@code relative} (a path relative to the scripts folder) as data. */
    public boolean allowsFile(Path relative) {
        return files.stream().anyMatch(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(relative));
    }

    /** Whether the script may request or publish to {@code subject} (a concrete subject). */
    public boolean allowsSubject(String subject) {
        return subjects.stream().anyMatch(pattern -> Subjects.matches(pattern, subject));
    }

    /** Whether the script may send an HTTP request to {@code uri}. */
    public boolean allowsUrl(URI uri) {
        return http.stream().anyMatch(origin -> origin.matches(uri));
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The grants by key, as published in discovery (keys with nothing granted left out). */
    public Map<String, List<String>> byKey() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        put(map, "subjects", subjects);
        put(map, "http", http.stream().map(Origin::toString).toList());
        put(map, "env", env);
        put(map, "secrets", secrets);
        put(map, "kv", kv);
        put(map, "files", files);
        return map;
    }

    private static void put(Map<String, List<String>> map, String key, List<String> values) {
        if (!values.isEmpty()) {
            map.put(key, values);
        }
    }
}
