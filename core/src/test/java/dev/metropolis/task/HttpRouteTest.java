package dev.metropolis.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRouteTest {

    @Test
    void aMethodAndAPath() {
        HttpRoute route = HttpRoute.parse("POST /text/reverse");

        assertThat(route.method()).isEqualTo("POST");
        assertThat(route.path()).isEqualTo("/text/reverse");
        assertThat(route.segments()).containsExactly("text", "reverse");
        assertThat(route).hasToString("POST /text/reverse");
    }

    @Test
    void aPathAloneTakesAnyMethod() {
        HttpRoute route = HttpRoute.parse("/reverse");

        assertThat(route.method()).isNull();
        assertThat(route).hasToString("/reverse");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reverse", "FETCH /reverse", "post /reverse", "POST reverse", "POST /a b", "", "POST  /x"})
    void anythingElseIsRefusedSayingWhatARouteLooksLike(String text) {
        assertThatThrownBy(() -> HttpRoute.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("http route '" + text + "' is not \"METHOD /path\" or \"/path\""
                        + " (METHOD one of GET, POST, PUT, PATCH, DELETE), e.g. \"POST /reverse\"");
    }

    @Test
    void segmentsSkipEmptyOnes() {
        assertThat(HttpRoute.segments("//a///b/")).isEqualTo(List.of("a", "b"));
        assertThat(HttpRoute.segments("/")).isEmpty();
    }
}
