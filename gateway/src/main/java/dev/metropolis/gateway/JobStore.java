package dev.metropolis.gateway;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where jobs live in JetStream: the stream {@value #STREAM} holds each submitted request (subject
 * {@code metropolis.jobs.<task subject>}) until a gateway has run it, and the key-value bucket
 * {@value #BUCKET} holds each job's state under its id. Both keep entries {@link #RETENTION}; the
 * stream de-duplicates submissions with the same {@code Nats-Msg-Id} within {@link #DUPLICATE_WINDOW}.
 * Created by the first gateway that needs them, with file storage and one replica.
 */
final class JobStore {
    static final String STREAM = "METROPOLIS_JOBS";
    static final String BUCKET = "METROPOLIS_JOBS";
    static final String SUBJECT_PREFIX = "metropolis.jobs.";
    static final Duration RETENTION = Duration.ofHours(24);
    static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyValue bucket;

    private JobStore(KeyValue bucket) {
        this.bucket = bucket;
    }

    /** Ensures the stream and the bucket exist, then opens the bucket. */
    static JobStore open(Connection connection) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        if (!jsm.getStreamNames().contains(STREAM)) {
            try {
                jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects(SUBJECT_PREFIX + ">")
                        .retentionPolicy(RetentionPolicy.Limits).storageType(StorageType.File).replicas(1)
                        .maxAge(RETENTION).duplicateWindow(DUPLICATE_WINDOW).build());
            } catch (JetStreamApiException e) {
                if (!jsm.getStreamNames().contains(STREAM)) { // not another gateway's creation first
                    throw e;
                }
            }
        }
        var kvm = connection.keyValueManagement();
        if (!kvm.getBucketNames().contains(BUCKET)) {
            try {
                kvm.create(KeyValueConfiguration.builder().name(BUCKET).ttl(RETENTION).storageType(StorageType.File)
                        .replicas(1).maxHistoryPerKey(1).build());
            } catch (JetStreamApiException e) {
                if (!kvm.getBucketNames().contains(BUCKET)) {
                    throw e;
                }
            }
        }
        return new JobStore(connection.keyValue(BUCKET));
    }

    Optional<Job> get(String id) {
        try {
            KeyValueEntry entry = bucket.get(id);
            if (entry == null || entry.getValue() == null) {
                return Optional.empty();
            }
            return Optional.of(Job.fromJson(JSON.readValue(entry.getValue(), new TypeReference<Map<String, Object>>() {})));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JetStreamApiException e) {
            throw new IllegalStateException("jobs bucket: " + e.getMessage(), e);
        }
    }

    void put(Job job) {
        try {
            bucket.put(job.id(), JSON.writeValueAsBytes(job.toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JetStreamApiException e) {
            throw new IllegalStateException("jobs bucket: " + e.getMessage(), e);
        }
    }

    /** Stores a new job unless the runner has already written one under its id (it ran first). */
    void putIfAbsent(Job job) {
        try {
            bucket.create(job.id(), JSON.writeValueAsBytes(job.toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JetStreamApiException e) {
            // "wrong last sequence": the key exists, written by a runner that picked the job up first.
            if (e.getApiErrorCode() != 10071) {
                throw new IllegalStateException("jobs bucket: " + e.getMessage(), e);
            }
        }
    }

    static byte[] json(Job job) {
        try {
            return JSON.writeValueAsBytes(job.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
