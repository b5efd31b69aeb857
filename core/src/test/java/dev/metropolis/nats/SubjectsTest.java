package dev.metropolis.nats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubjectsTest {

    @ParameterizedTest
    @CsvSource({
        "inventory.reserve, inventory.reserve, true",
        "inventory.*, inventory.reserve, true",
        "inventory.*, inventory.reserve.now, false",
        "inventory.*, inventory, false",
        "audit.>, audit.orders.created, true",
        "audit.>, audit.x, true",
        "audit.>, audit, false",
        "*.created, orders.created, true",
        "*.created, orders.deleted, false",
        ">, anything.at.all, true",
        "a.b, a.b.c, false",
        "a.b.c, a.b, false"})
    void natsWildcardsMatchAsTheServerDoes(String pattern, String subject, boolean matches) {
        assertThat(Subjects.matches(pattern, subject)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "orders.created", "a.b-c_d.1"})
    void plainSubjectsAreConcrete(String subject) {
        assertThat(Subjects.isConcrete(subject)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "orders.*", "audit.>", "a..b", ".a", "a.", "a b"})
    void wildcardsEmptyTokensAndSpacesAreNot(String subject) {
        assertThat(Subjects.isConcrete(subject)).isFalse();
    }
}
