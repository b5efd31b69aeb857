package dev.metropolis.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * API keys as the auth file holds them: a name, the SHA-256 of the key (hex), and what the key may
 * call. The key itself is never stored: a presented key is hashed and compared with every entry in
 * constant time. Keys are long random strings (see the README), so a fast unsalted hash is enough;
 * a password hash would only slow every request.
 */
final class ApiKeys {
    /** One key: its name, its hash, its scopes and the tasks it is limited to (empty: any). */
    record Entry(String name, byte[] sha256, List<String> scopes, List<String> tasks) {
        Entry {
            Objects.requireNonNull(name, "name");
            if (sha256.length != 32) {
                throw new IllegalArgumentException("api key '" + name + "': sha256 must be 64 hex digits");
            }
            scopes = List.copyOf(scopes);
            tasks = List.copyOf(tasks);
        }
    }

    private final List<Entry> entries;
    /** Each entry's caller, made once: its identity header is then serialised once too. */
    private final List<CallerIdentity> callers;

    ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.callers = this.entries.stream().map(entry -> new CallerIdentity("api_key", entry.name(), entry.name(),
                entry.scopes(), entry.tasks(), java.util.Map.of())).toList();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The caller holding {@code presented}, if it is a known key. */
    Optional<CallerIdentity> find(String presented) {
        byte[] hash = sha256(presented);
        CallerIdentity found = null;
        for (int i = 0; i < entries.size(); i++) {
            // Every entry is compared, whatever matched before: the time taken says nothing about the keys.
            if (MessageDigest.isEqual(entries.get(i).sha256(), hash) && found == null) {
                found = callers.get(i);
            }
        }
        return Optional.ofNullable(found);
    }

    /** Parses 64 hex digits, with the message naming the key on failure. */
    static byte[] hex(String name, String value) {
        try {
            return HexFormat.of().parseHex(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("api key '" + name + "': sha256 must be 64 hex digits", e);
        }
    }

    /** SHA-256 of a key's UTF-8 bytes; what {@code printf %s KEY | sha256sum} prints, as bytes. */
    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
