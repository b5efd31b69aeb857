package dev.metropolis.stream;

import dev.metropolis.script.Trigger.Retry;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import java.time.Duration;
import java.util.Optional;

/**
 * What becomes of a message taken from a stream, decided from the task's outcome and how many
 * times the message has been delivered: a pure step, so every rule is tested without a server.
 *
 * <p>The consumer's own {@code max_deliver} is unlimited: the host counts, so a last delivery that
 * fails goes to the dead-letter subject (which the server cannot do), and a message whose
 * dead-lettering fails is retried rather than dropped.
 */
public final class Settlement {
    /** Retry delay of a dead letter that could not be published, and of a message refused while the host is busy. */
    static final Duration RETRY_LATER = Duration.ofSeconds(1);

    private Settlement() {}

    /** What to do with a message. */
    public sealed interface Verdict permits Ack, Nak, DeadLetter, Term {}

    /** Done: remove it from the consumer's pending work. */
    public record Ack() implements Verdict {}

    /** Deliver it again after {@code delay}. */
    public record Nak(Duration delay) implements Verdict {}

    /** Publish it with its failure to the dead-letter subject, then {@link Term} it. */
    public record DeadLetter(TaskError failure, long deliveries) implements Verdict {}

    /** Never deliver it again (a permanent failure, with no dead-letter subject to keep it). */
    public record Term(TaskError failure) implements Verdict {}

    /**
     * Before running: a message delivered more than {@code max_deliver} times means hosts were lost
     * while running it (killed, disconnected past {@code ack_wait}), so it is not run again.
     */
    public static Optional<Verdict> beforeRun(long delivered, Retry retry) {
        if (delivered <= retry.maxDeliver()) {
            return Optional.empty();
        }
        TaskError failure = TaskError.of(ErrorKind.UNAVAILABLE, "delivered " + delivered + " times, more than max_deliver "
                + retry.maxDeliver() + ", without being settled (the hosts running it were lost)");
        return Optional.of(finalFailure(failure, delivered, retry));
    }

    /**
     * After running: acked on success; a 4xx failure other than "busy" is permanent (retrying
     * cannot help); other failures are retried with the backoff until the last delivery.
     *
     * @param failure   null when the task succeeded
     * @param delivered deliveries of the message so far, this one included (1-based)
     */
    public static Verdict afterRun(TaskError failure, long delivered, Retry retry) {
        if (failure == null) {
            return new Ack();
        }
        boolean permanent = !ErrorKind.isServerError(failure.code()) && failure.kind() != ErrorKind.BUSY;
        if (permanent || delivered >= retry.maxDeliver()) {
            return finalFailure(failure, delivered, retry);
        }
        return new Nak(retry.delayAfter(delivered));
    }

    /** After a dead letter could not be published: keep the message and try again later. */
    public static Verdict deadLetterFailed() {
        return new Nak(RETRY_LATER);
    }

    private static Verdict finalFailure(TaskError failure, long delivered, Retry retry) {
        return retry.deadLetter().isEmpty() ? new Term(failure) : new DeadLetter(failure, delivered);
    }
}
