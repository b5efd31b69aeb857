package dev.metropolis.guest;

import dev.metropolis.script.TaskScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secrets a script was granted, read from the host's secrets folder (one file per secret, as a
 * Kubernetes Secret volume lays them out), and the redaction that keeps their values out of the
 * script's log lines and error replies.
 */
final class GuestSecrets {
    /** Values shorter than this are not redacted: "***" for every "a" in a log line helps nobody. */
    private static final int SHORTEST_REDACTED = 4;

    private final TaskScript script;
    private final Path folder;
    /** The values this script has read: the ones that could leak through it. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    GuestSecrets(TaskScript script, Path folder) {
        this.script = script;
        this.folder = folder;
    }

    /** Why a granted secret cannot be provided, or null when every one can: checked when a context is made. */
    String missing() {
        for (String name : script.header().allow().secrets()) {
            if (folder == null) {
                return "it is granted secret '" + name + "' but the host has no secrets folder;"
                        + " start the host with --secrets DIR (METROPOLIS_SECRETS)";
            }
            if (!Files.isRegularFile(folder.resolve(name))) {
                return "it is granted secret '" + name + "' but " + folder.resolve(name) + " does not exist;"
                        + " create that file (one file per secret) or remove the grant";
            }
        }
        return null;
    }

    /** Whether the script may read {@code name}. */
    boolean granted(String name) {
        return script.header().allow().secrets().contains(name);
    }

    /**
     * A granted secret's value: the file's text, without one trailing newline (what {@code echo}
     * leaves). Read on every call, so a rotated secret is picked up.
     */
    String read(String name) throws IOException {
        String value = Files.readString(folder.resolve(name), StandardCharsets.UTF_8);
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
        }
        if (value.length() >= SHORTEST_REDACTED) {
            seen.add(value);
        }
        return value;
    }

    /** {@code text} with every secret value this script has read replaced by "***". */
    String redact(String text) {
        if (seen.isEmpty() || text == null) {
            return text;
        }
        String redacted = text;
        for (String value : seen) {
            redacted = redacted.replace(value, "***");
        }
        return redacted;
    }
}
