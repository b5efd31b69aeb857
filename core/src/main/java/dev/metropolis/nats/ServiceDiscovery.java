package dev.metropolis.nats;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.RecentStats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks every NATS micro service for its {@code $SRV.INFO}, the client side of what
 * {@link MicroService} answers, and reads each answer on its own.
 *
 * <p>Why not jnats' {@code Discovery}: one unreadable answer fails its whole round, and so does the
 * server's "no responders" status when no service runs yet. Any service in the account, ours or
 * not, could then hide all the others.
 */
public final class ServiceDiscovery {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUOTED_CHARS = 120;

    private ServiceDiscovery() {}

    /** A service as its INFO answer describes it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ServiceInfo(String type, String name, String id, String version, String description,
            Map<String, String> metadata, List<EndpointInfo> endpoints) {
        public ServiceInfo {
            metadata = metadata == null ? Map.of() : metadata;
            endpoints = endpoints == null ? List.of() : endpoints;
        }
    }

    /** One endpoint of a service: the subject it serves, in which queue group (also how {@link MicroService} writes it). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EndpointInfo(String name, String subject, @JsonProperty("queue_group") String queueGroup,
            Map<String, String> metadata) {
        public EndpointInfo {
            metadata = metadata == null ? Map.of() : metadata;
        }
    }

    /**
     * What one round heard: the services that answered, and a description of each answer that
     * could not be read (quoting its start).
     */
    public record Answers(List<ServiceInfo> services, List<String> unreadable) {}

    /** A service's {@code $SRV.STATS} answer: each endpoint's counts, and what it did in the last seconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ServiceStats(String type, String name, String id, String version, Map<String, String> metadata,
            List<EndpointStats> endpoints) {
        public ServiceStats {
            metadata = metadata == null ? Map.of() : metadata;
            endpoints = endpoints == null ? List.of() : endpoints;
        }
    }

    /** One endpoint's stats; {@code data} is null when its service publishes none (not one of ours). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EndpointStats(String name, String subject, @JsonProperty("num_requests") long requests,
            @JsonProperty("num_errors") long errors, @JsonProperty("last_error") String lastError, RecentStats data) {}

    /** What one STATS round heard, read as {@link Answers} are. */
    public record StatsAnswers(List<ServiceStats> services, List<String> unreadable) {}

    /**
     * Publishes {@code $SRV.INFO} and collects answers for {@code window}, or until {@code max}
     * services answered. No service at all is an empty answer, not an error.
     */
    public static Answers info(Connection connection, Duration window, int max) throws InterruptedException {
        List<ServiceInfo> services = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        collect(connection, "INFO", window, max, data -> read(data, ServiceInfo.class, MicroService.INFO_TYPE,
                ServiceInfo::type, ServiceInfo::name, services, unreadable), services::size);
        return new Answers(services, unreadable);
    }

    /** Publishes {@code $SRV.STATS} and collects answers as {@link #info} does. */
    public static StatsAnswers stats(Connection connection, Duration window, int max) throws InterruptedException {
        List<ServiceStats> services = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        collect(connection, "STATS", window, max, data -> read(data, ServiceStats.class, MicroService.STATS_TYPE,
                ServiceStats::type, ServiceStats::name, services, unreadable), services::size);
        return new StatsAnswers(services, unreadable);
    }

    private static void collect(Connection connection, String verb, Duration window, int max,
            java.util.function.Consumer<byte[]> reader, java.util.function.IntSupplier heard) throws InterruptedException {
        String inbox = connection.createInbox();
        Subscription answers = connection.subscribe(inbox);
        try {
            connection.publish(MicroService.DISCOVERY_PREFIX + verb, inbox, null);
            long deadline = System.nanoTime() + window.toNanos();
            while (heard.getAsInt() < max) {
                long left = deadline - System.nanoTime();
                Message answer = left > 0 ? answers.nextMessage(Duration.ofNanos(left)) : null;
                if (answer == null) {
                    break;
                }
                if (NoResponders.is(answer)) {
                    break; // nobody serves discovery right now
                }
                if (answer.isStatusMessage()) {
                    continue;
                }
                reader.accept(answer.getData());
            }
        } finally {
            answers.unsubscribe();
        }
    }

    private static <T> void read(byte[] data, Class<T> type, String expectedType, java.util.function.Function<T, String> typeOf,
            java.util.function.Function<T, String> nameOf, List<T> services, List<String> unreadable) {
        String problem;
        try {
            T answer = JSON.readValue(data, type);
            if (expectedType.equals(typeOf.apply(answer)) && nameOf.apply(answer) != null) {
                services.add(answer);
                return;
            }
            problem = "not an " + expectedType + " with a name";
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        } catch (IOException e) {
            problem = e.toString();
        }
        String text = new String(data, StandardCharsets.UTF_8);
        unreadable.add(problem + " (answer: \""
                + (text.length() > QUOTED_CHARS ? text.substring(0, QUOTED_CHARS) + "..." : text) + "\")");
    }
}
