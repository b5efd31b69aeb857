package dev.metropolis.guest;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.ErrorKind;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The host end of {@code metropolis.kv(bucket)}: JetStream key-value buckets on the host's NATS
 * server, for the buckets a script is granted. A bucket is bound when it exists and created with
 * the host's defaults (file storage, one value per key) on first use when it does not.
 */
final class GuestKv {
    /** JetStream's error code for "wrong last sequence": an update whose revision is no longer the latest. */
    private static final int WRONG_LAST_SEQUENCE = 10071;

    private final TaskScript script;
    private final Supplier<Connection> nats;
    /** One handle per bucket for the script version (its contexts share it; KeyValue is thread-safe). */
    private final Map<String, KeyValue> buckets = new ConcurrentHashMap<>();

    GuestKv(TaskScript script, Supplier<Connection> nats) {
        this.script = script;
        this.nats = nats;
    }

    /** A KV operation's result, or why it failed. */
    sealed interface Result {}

    /** An entry: its value's bytes and revision; null value for a missing key. */
    record Entry(byte[] value, long revision) implements Result {}

    /** The keys of a bucket. */
    record Keys(List<String> keys) implements Result {}

    /** The new revision after a put or update. */
    record Revision(long revision) implements Result {}

    /** Nothing to return (delete). */
    record Done() implements Result {}

    /** The operation failed; becomes a CallError in the guest. */
    record Failed(int code, String kind, String message) implements Result {}

    /** The bucket is not granted. */
    record Denied(String message) implements Result {}

    @FunctionalInterface
    private interface Operation {
        Result on(KeyValue bucket) throws IOException, JetStreamApiException, InterruptedException;
    }

    /** Whether the script may use {@code bucket}: Done, or Denied naming the grant. */
    Result check(String bucket) {
        Denied denied = denied(bucket);
        return denied == null ? new Done() : denied;
    }

    private Denied denied(String bucket) {
        if (script.header().allow().kv().contains(bucket)) {
            return null;
        }
        return new Denied(script.refusal("use key-value bucket '" + bucket + "'", "kv", bucket));
    }

    Result get(String bucket, String key) {
        return run(bucket, kv -> {
            KeyValueEntry entry = kv.get(key);
            return entry == null || entry.getValue() == null ? new Entry(null, 0) : new Entry(entry.getValue(), entry.getRevision());
        });
    }

    Result put(String bucket, String key, byte[] value) {
        return run(bucket, kv -> new Revision(kv.put(key, value)));
    }

    Result update(String bucket, String key, byte[] value, long revision) {
        return run(bucket, kv -> {
            try {
                // Revision 0 means "not there yet": create it, failing as an update does when someone was first.
                return new Revision(revision == 0 ? kv.create(key, value) : kv.update(key, value, revision));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
                    return new Failed(409, ErrorKind.REJECTED.label(), "'" + key + "' in bucket '" + bucket
                            + "' is no longer at revision " + revision + ": someone changed it; get it again and retry");
                }
                throw e;
            }
        });
    }

    Result delete(String bucket, String key) {
        return run(bucket, kv -> {
            kv.delete(key);
            return new Done();
        });
    }

    Result keys(String bucket) {
        return run(bucket, kv -> new Keys(kv.keys()));
    }

    private Result run(String bucket, Operation operation) {
        Denied denied = denied(bucket);
        if (denied != null) {
            return denied;
        }
        try {
            KeyValue kv = bound(bucket);
            return kv == null ? unavailable(bucket) : operation.on(kv);
        } catch (IllegalArgumentException e) {
            return new Failed(400, ErrorKind.REJECTED.label(), "bucket '" + bucket + "': " + e.getMessage());
        } catch (JetStreamApiException e) {
            return new Failed(502, ErrorKind.UNAVAILABLE.label(), "bucket '" + bucket + "': " + e.getMessage());
        } catch (IOException e) {
            return new Failed(503, ErrorKind.UNAVAILABLE.label(), "bucket '" + bucket + "' cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed(504, ErrorKind.TIMED_OUT.label(), "bucket '" + bucket + "': interrupted at the deadline");
        }
    }

    private Failed unavailable(String bucket) {
        Connection connection = nats.get();
        String why = connection == null || connection.getStatus() != Connection.Status.CONNECTED
                ? "the host is not connected to NATS right now"
                : "the NATS server has no JetStream (start nats-server with -js)";
        return new Failed(503, ErrorKind.UNAVAILABLE.label(), "bucket '" + bucket + "' cannot be used: " + why);
    }

    /** The bucket's handle: bound, or created on first use; null when NATS or JetStream is not there. */
    private KeyValue bound(String bucket) throws IOException, JetStreamApiException {
        KeyValue known = buckets.get(bucket);
        if (known != null) {
            return known;
        }
        Connection connection = nats.get();
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED
                || connection.getServerInfo() == null || !connection.getServerInfo().isJetStreamAvailable()) {
            return null;
        }
        KeyValueManagement management = connection.keyValueManagement();
        if (!management.getBucketNames().contains(bucket)) {
            try {
                management.create(KeyValueConfiguration.builder().name(bucket).storageType(StorageType.File).build());
            } catch (JetStreamApiException e) {
                if (!management.getBucketNames().contains(bucket)) { // another host created it meanwhile: fine
                    throw e;
                }
            }
        }
        KeyValue kv = connection.keyValue(bucket);
        buckets.put(bucket, kv);
        return kv;
    }
}
