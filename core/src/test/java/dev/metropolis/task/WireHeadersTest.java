package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireHeadersTest {

    @Test
    void aTimeoutIsWrittenInWholeMillisecondsAndReadBack() {
        String written = WireHeaders.timeoutValue(Duration.ofMillis(1_500));

        assertThat(written).isEqualTo("1500");
        assertThat(WireHeaders.parseTimeout(written)).contains(Duration.ofMillis(1_500));
        assertThat(WireHeaders.parseTimeout(" 250 ")).contains(Duration.ofMillis(250));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "soon", "1.5", "5s", ""})
    void anUnreadableOrNonPositiveTimeoutIsIgnored(String value) {
        assertThat(WireHeaders.parseTimeout(value)).isEmpty();
    }

    @Test
    void anAbsentTimeoutIsIgnored() {
        assertThat(WireHeaders.parseTimeout(null)).isEmpty();
    }
}
