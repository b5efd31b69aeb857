package dev.metropolis.gateway;

import dev.metropolis.task.Rate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskMetadata;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Rate limits through a real gateway, counted not timed: a burst over a per-hour limit (no token
 * comes back during the test) gets exactly the limit through and the rest as 429s with the headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class RateLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private EdgeFixture edge;
    private FakeTask limited;

    @BeforeAll
    void start() throws Exception {
        edge = EdgeFixture.withTasks(Map.of("plain", ""));
        // A task declaring its own rate in its header, announced like the host announces it.
        limited = FakeTask.answering(edge.nats, "limited", "limited.call", Map.of(TaskMetadata.RATE, "5/h"));
        edge.tasks.put("limited", limited);
        edge.start(new EdgeConfig(null, Rate.parse("3/h"), null, null, null), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (limited != null) {
            limited.close();
        }
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void theGatewaysDefaultRateLetsTheBurstThroughAndRefusesTheRest() throws Exception {
        int ok = 0;
        int limitedCount = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10; i++) {
            last = edge.call("plain");
            if (last.statusCode() == 200) {
                ok++;
            } else if (last.statusCode() == 429) {
                limitedCount++;
            }
        }
        assertThat(ok).isEqualTo(3);
        assertThat(limitedCount).isEqualTo(7);
        assertThat(last.headers().firstValue("RateLimit-Limit")).hasValue("3");
        assertThat(last.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 1200L);
        assertThat(JSON.readTree(last.body()).get("kind").asText()).isEqualTo("rate_limited");
        assertThat(JSON.readTree(last.body()).get("code").asInt()).isEqualTo(429);
    }

    @Test
    void aTasksOwnRateWinsOverTheGatewaysAndTheTaskListShowsIt() throws Exception {
        int ok = 0;
        for (int i = 0; i < 8; i++) {
            if (edge.call("limited").statusCode() == 200) {
                ok++;
            }
        }
        assertThat(ok).isEqualTo(5);
        String list = edge.send(edge.request("/tasks").GET()).body();
        assertThat(list).contains("\"rate\" : \"5/h\"").contains("\"rate\" : \"3/h\"");
    }
}
