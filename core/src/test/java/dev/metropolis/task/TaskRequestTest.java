package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskRequestTest {

    private static TaskRequest withHeaders(Map<String, List<String>> headers) {
        return new TaskRequest("a.b", null, headers, new byte[0]);
    }

    @Test
    void headersKeepTheirArrivalOrder() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : List.of("Zulu", "Alpha", "Mike", "Bravo", "Yankee", "Charlie")) {
            headers.put(name, List.of(name.toLowerCase()));
        }
        assertThat(withHeaders(headers).headers().keySet())
                .containsExactly("Zulu", "Alpha", "Mike", "Bravo", "Yankee", "Charlie");
    }

    @Test
    void headerNamesMatchWhateverTheirCase() {
        TaskRequest request = withHeaders(Map.of("content-TYPE", List.of("text/plain", "ignored"), "Empty", List.of()));
        assertThat(request.header("Content-Type")).isEqualTo("text/plain");
        assertThat(request.header("empty")).isNull();
        assertThat(request.header("Accept")).isNull();
    }

    @Test
    void aCallerMayOnlyShortenTheTimeout() {
        Duration task = Duration.ofSeconds(10);
        assertThat(withHeaders(Map.of(WireHeaders.TIMEOUT, List.of("250"))).timeout(task))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(withHeaders(Map.of(WireHeaders.TIMEOUT, List.of("60000"))).timeout(task)).isEqualTo(task);
        assertThat(withHeaders(Map.of(WireHeaders.TIMEOUT, List.of("soon"))).timeout(task)).isEqualTo(task);
        assertThat(withHeaders(Map.of()).timeout(task)).isEqualTo(task);
    }
}
