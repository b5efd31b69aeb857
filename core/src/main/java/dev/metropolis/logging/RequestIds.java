package dev.metropolis.logging;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids for messages and HTTP requests that arrive without one. They must be unique, not
 * unpredictable: {@link UUID#randomUUID()} draws from SecureRandom (a lock and the OS entropy
 * source) and showed up in the host's per-message profile. These are version 4 UUIDs drawn from
 * {@link ThreadLocalRandom}.
 */
public final class RequestIds {
    private RequestIds() {}

    /** A new random UUID, as text. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }
}
