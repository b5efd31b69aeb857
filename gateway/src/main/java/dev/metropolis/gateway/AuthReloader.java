package dev.metropolis.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The auth file as it is now: read at most once per {@code checkEvery} (a small file; comparing its
 * bytes, unlike its modification time, cannot miss a rewrite within one clock tick) and parsed again when it changed, so a key removed from the file stops working
 * within that time. A file that no longer reads keeps the last good configuration, loudly.
 */
final class AuthReloader {
    private static final Logger LOG = Logger.getLogger(AuthReloader.class.getName());

    private record Loaded(byte[] content, Authenticator authenticator, long checkedAt) {}

    private final Path path;
    private final Map<String, String> env;
    private final LongSupplier nanoTime;
    private final long checkEveryNanos;
    private volatile Loaded loaded;

    /** Reads the file now: a gateway does not start on an auth file it cannot read. */
    AuthReloader(Path path, Map<String, String> env, Duration checkEvery, LongSupplier nanoTime) throws IOException {
        this.path = path;
        this.env = Map.copyOf(env);
        this.nanoTime = nanoTime;
        this.checkEveryNanos = checkEvery.toNanos();
        this.loaded = load(nanoTime.getAsLong());
    }

    /** The authenticator to use now. */
    Authenticator current() {
        Loaded known = loaded;
        long now = nanoTime.getAsLong();
        if (now - known.checkedAt() < checkEveryNanos) {
            return known.authenticator();
        }
        synchronized (this) {
            known = loaded;
            if (now - known.checkedAt() < checkEveryNanos) {
                return known.authenticator();
            }
            loaded = check(known, now);
            return loaded.authenticator();
        }
    }

    private Loaded check(Loaded known, long now) {
        try {
            byte[] content = Files.readAllBytes(path);
            if (Arrays.equals(content, known.content())) {
                return new Loaded(known.content(), known.authenticator(), now);
            }
            Loaded fresh = new Loaded(content, AuthFile.parse(content, env), now);
            LOG.log(Level.INFO, "auth file {0} reloaded", path);
            return fresh;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "auth file " + path + " cannot be read; keeping the previous configuration: "
                    + e.getMessage());
            return new Loaded(known.content(), known.authenticator(), now);
        }
    }

    private Loaded load(long now) throws IOException {
        byte[] content = Files.readAllBytes(path);
        try {
            return new Loaded(content, AuthFile.parse(content, env), now);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auth file " + path + ": " + e.getMessage(), e);
        }
    }
}
