package dev.metropolis.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * Something that happened to a host's scripts (one served, reloaded, refused, stopped), as the host
 * publishes it on {@code metropolis.events.<host>} and the gateway's console streams it: the one
 * definition of that subject and of the event's JSON.
 *
 * @param type    what happened
 * @param host    the host's name ({@link #hostName})
 * @param file    the script's file name
 * @param task    the task's name, or null when the file could not be read as a task
 * @param line    the line a load error points at, 0 when none
 * @param message what to tell a person: the subjects now served, or the load error with its file and line
 * @param time    when, RFC 3339
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostEvent(@JsonProperty("type") Type type, @JsonProperty("host") String host,
        @JsonProperty("file") String file, @JsonProperty("task") String task, @JsonProperty("line") int line,
        @JsonProperty("message") String message, @JsonProperty("time") String time) {

    /** The events of one host are published on this prefix followed by its name. */
    public static final String SUBJECT_PREFIX = "metropolis.events.";
    /** Every host's events. */
    public static final String ALL_HOSTS = SUBJECT_PREFIX + ">";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happened to a script file. */
    public enum Type {
        /** A script now serves (at start or when added). */
        SERVED,
        /** A new version of a served script took over. */
        RELOADED,
        /** A script could not be loaded and does not serve. */
        LOAD_ERROR,
        /** A new version could not be loaded: the previous version keeps serving. */
        RELOAD_FAILED,
        /** A script stopped serving (deleted, renamed, its header removed). */
        STOPPED;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        static Type of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public HostEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(time, "time");
        message = message == null ? "" : message;
        if (line < 0) {
            throw new IllegalArgumentException("a line number is not negative, got " + line);
        }
    }

    /** The subject a host of this name publishes its events on. */
    public static String subject(String host) {
        return SUBJECT_PREFIX + hostName(host);
    }

    /** A name usable as one subject token: letters, digits, '-' and '_' kept, anything else '_'. */
    public static String hostName(String raw) {
        String name = raw == null ? "" : raw.replaceAll("[^A-Za-z0-9_-]", "_");
        return name.isEmpty() ? "host" : name;
    }

    /** The event as published. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event always serialises: " + this, e);
        }
    }

    /** Reads a published event; an unreadable one is an {@link IOException} saying why. */
    public static HostEvent fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, HostEvent.class);
    }
}
