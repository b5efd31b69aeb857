package dev.metropolis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.Trigger.Retry;
import dev.metropolis.stream.Settlement.Ack;
import dev.metropolis.stream.Settlement.DeadLetter;
import dev.metropolis.stream.Settlement.Nak;
import dev.metropolis.stream.Settlement.Term;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SettlementTest {
    private static final Retry WITH_DEAD = new Retry(3, List.of(Duration.ofSeconds(1), Duration.ofSeconds(10)), "orders.dead");
    private static final Retry WITHOUT_DEAD = new Retry(3, List.of(Duration.ofSeconds(1)), "");
    private static final TaskError CRASH = TaskError.of(ErrorKind.CRASHED, "boom");

    @Test
    void aSuccessIsAcked() {
        assertThat(Settlement.afterRun(null, 1, WITH_DEAD)).isEqualTo(new Ack());
        assertThat(Settlement.afterRun(null, 3, WITH_DEAD)).isEqualTo(new Ack());
    }

    @Test
    void aFailureBeforeTheLastDeliveryIsNakedWithItsBackoffTheLastDelayRepeating() {
        assertThat(Settlement.afterRun(CRASH, 1, WITH_DEAD)).isEqualTo(new Nak(Duration.ofSeconds(1)));
        assertThat(Settlement.afterRun(CRASH, 2, WITH_DEAD)).isEqualTo(new Nak(Duration.ofSeconds(10)));
        Retry many = new Retry(10, List.of(Duration.ofSeconds(1), Duration.ofSeconds(10)), "");
        assertThat(Settlement.afterRun(CRASH, 7, many)).isEqualTo(new Nak(Duration.ofSeconds(10)));
        assertThat(Settlement.afterRun(CRASH, 1, new Retry(3, List.of(), ""))).isEqualTo(new Nak(Duration.ZERO));
    }

    @Test
    void timeoutsAndBusyRefusalsAreRetried() {
        assertThat(Settlement.afterRun(TaskError.of(ErrorKind.TIMED_OUT, "slow"), 1, WITH_DEAD)).isInstanceOf(Nak.class);
        assertThat(Settlement.afterRun(TaskError.of(ErrorKind.BUSY, "full"), 1, WITH_DEAD)).isInstanceOf(Nak.class);
        assertThat(Settlement.afterRun(TaskError.of(ErrorKind.UNAVAILABLE, "stopping"), 2, WITH_DEAD)).isInstanceOf(Nak.class);
    }

    @Test
    void theLastFailedDeliveryGoesToTheDeadLetterSubjectOrIsTermedWithoutOne() {
        assertThat(Settlement.afterRun(CRASH, 3, WITH_DEAD)).isEqualTo(new DeadLetter(CRASH, 3));
        assertThat(Settlement.afterRun(CRASH, 3, WITHOUT_DEAD)).isEqualTo(new Term(CRASH));
    }

    @Test
    void aFourHundredTaskErrorIsPermanentOnTheFirstDelivery() {
        TaskError rejected = TaskError.rejected(422, "bad order");
        assertThat(Settlement.afterRun(rejected, 1, WITH_DEAD)).isEqualTo(new DeadLetter(rejected, 1));
        assertThat(Settlement.afterRun(rejected, 1, WITHOUT_DEAD)).isEqualTo(new Term(rejected));
        TaskError badPayload = TaskError.of(ErrorKind.BAD_PAYLOAD, "not JSON");
        assertThat(Settlement.afterRun(badPayload, 1, WITHOUT_DEAD)).isEqualTo(new Term(badPayload));
    }

    @Test
    void aMessageDeliveredMoreThanMaxDeliverIsNotRunAgain() {
        assertThat(Settlement.beforeRun(1, WITH_DEAD)).isEmpty();
        assertThat(Settlement.beforeRun(3, WITH_DEAD)).isEmpty();
        assertThat(Settlement.beforeRun(4, WITH_DEAD)).get().isInstanceOfSatisfying(DeadLetter.class, dead -> {
            assertThat(dead.deliveries()).isEqualTo(4);
            assertThat(dead.failure().getMessage()).contains("more than max_deliver 3");
        });
        assertThat(Settlement.beforeRun(4, WITHOUT_DEAD)).get().isInstanceOf(Term.class);
    }

    @Test
    void aDeadLetterThatCouldNotBePublishedIsRetriedLater() {
        assertThat(Settlement.deadLetterFailed()).isEqualTo(new Nak(Settlement.RETRY_LATER));
    }

    @Test
    void ackWaitFollowsTheTimeoutWithinBoundsAndProgressIsMarkedThreeTimesPerWait() {
        assertThat(AckTiming.ackWait(Duration.ofMillis(100))).isEqualTo(Duration.ofSeconds(1));
        assertThat(AckTiming.ackWait(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(AckTiming.ackWait(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(30));
        Duration interval = AckTiming.progressInterval(Duration.ofSeconds(30));
        assertThat(interval).isEqualTo(Duration.ofSeconds(10));
        long start = 1_000_000_000L; // a fake clock: nanoseconds
        assertThat(AckTiming.progressDue(start, start + interval.toNanos() - 1, interval)).isFalse();
        assertThat(AckTiming.progressDue(start, start + interval.toNanos(), interval)).isTrue();
    }
}
