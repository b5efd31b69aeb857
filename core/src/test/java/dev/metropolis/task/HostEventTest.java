package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The events hosts publish for the console: their subject and JSON. */
class HostEventTest {
    @Test
    void roundTripsThroughItsJson() throws Exception {
        HostEvent event = new HostEvent(HostEvent.Type.LOAD_ERROR, "web-1", "orders.py", null, 3,
                "orders.py:3: key 'subjec': unknown key; did you mean 'subject'?", "2026-12-02T10:00:00Z");

        String json = new String(event.toJson(), StandardCharsets.UTF_8);

        assertThat(json).contains("\"type\":\"load_error\"", "\"line\":3").doesNotContain("\"task\"");
        assertThat(HostEvent.fromJson(event.toJson())).isEqualTo(event);
    }

    @Test
    void aHostNameIsOneSubjectToken() {
        assertThat(HostEvent.subject("web-1.example.com")).isEqualTo("metropolis.events.web-1_example_com");
        assertThat(HostEvent.hostName("")).isEqualTo("host");
        assertThat(HostEvent.ALL_HOSTS).isEqualTo("metropolis.events.>");
    }

    @Test
    void anUnreadableEventSaysWhy() {
        assertThatThrownBy(() -> HostEvent.fromJson("{\"type\":\"exploded\",\"host\":\"h\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("EXPLODED");
    }
}
