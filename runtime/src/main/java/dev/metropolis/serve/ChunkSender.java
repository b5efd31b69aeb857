package dev.metropolis.serve;

import dev.metropolis.runner.ChunkSink;
import dev.metropolis.serve.TaskMetrics.TaskLabels;
import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.TaskRequest;
import dev.metropolis.task.WireHeaders;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends one message's streamed reply on its reply subject, by the protocol in the README
 * ("Streaming"): chunks numbered in {@link WireHeaders#CHUNK}, each with a reply subject of the
 * host's where the caller acknowledges or cancels, at most a window ahead of the acknowledgements,
 * then one message ending the stream. A caller that has gone away (its inbox has no subscriber, so
 * the server answers the chunk's reply subject with a no-responders status) cancels it too.
 */
final class ChunkSender implements ChunkSink {
    /** Chunks a stream sends beyond the last one its caller acknowledged, unless the caller asks for another window. */
    static final int DEFAULT_WINDOW = 64;
    static final int MAX_WINDOW = 1024;
    private static final Logger LOG = Logger.getLogger(ChunkSender.class.getName());

    private final Connection connection;
    private final Supplier<Dispatcher> acks;
    private final ReplySender replies;
    private final TaskMetrics metrics;
    private final TaskLabels labels;
    private final TaskRequest request;
    private final Duration taskTimeout;
    /** How long the window may stay full: the task's timeout for this message. */
    private Duration patience;
    private final LongSupplier nanoTime;
    /** Made when the call turns out to stream: most calls do not, and pay for nothing here. */
    private volatile FlowWindow window;
    private Subscription ackSubscription;
    private volatile boolean began;
    private long sent;

    /**
     * @param acks     the dispatcher acknowledgements arrive on (made on first use)
     * @param taskTimeout the task's timeout; the message's own (maybe shorter) is how long the window may stay full
     */
    ChunkSender(Connection connection, Supplier<Dispatcher> acks, ReplySender replies, TaskMetrics metrics, TaskLabels labels,
            TaskRequest request, Duration taskTimeout, LongSupplier nanoTime) {
        this.connection = connection;
        this.acks = acks;
        this.replies = replies;
        this.metrics = metrics;
        this.labels = labels;
        this.request = request;
        this.taskTimeout = taskTimeout;
        this.nanoTime = nanoTime;
    }

    @Override
    public void begin() {
        patience = request.timeout(taskTimeout);
        window = new FlowWindow(window(request), nanoTime);
        began = true;
        if (request.replyTo() != null) {
            ackSubscription = acks.get().subscribe(connection.createInbox(), this::onAck);
        }
    }

    /** The window a caller asked for with {@link WireHeaders#WINDOW}, kept within 1..{@link #MAX_WINDOW}. */
    static int window(TaskRequest request) {
        String asked = request.header(WireHeaders.WINDOW);
        if (asked == null) {
            return DEFAULT_WINDOW;
        }
        try {
            return (int) Math.max(1, Math.min(MAX_WINDOW, Long.parseLong(asked.trim())));
        } catch (NumberFormatException e) {
            return DEFAULT_WINDOW;
        }
    }

    /** Whether the call's answer is a stream (so its end is a stream's end, not a reply). */
    boolean began() {
        return began;
    }

    private void onAck(Message message) {
        if (message.isStatusMessage()) {
            if (message.getStatus().getCode() == 503) {
                window.cancel(); // the caller's inbox is gone: nobody reads the chunks any more
            }
            return;
        }
        String text = new String(message.getData(), StandardCharsets.US_ASCII).trim();
        if (text.equals(WireHeaders.CANCEL)) {
            window.cancel();
            return;
        }
        try {
            window.acknowledge(Long.parseLong(text));
        } catch (NumberFormatException e) {
            LOG.log(Level.FINE, "task ''{0}'': ignored an acknowledgement that is no chunk number: ''{1}''",
                    new Object[] {labels.task(), text});
        }
    }

    @Override
    public boolean send(TaskReply chunk, long deadline) {
        if (request.replyTo() == null) {
            sent++;
            return true; // fire-and-forget: the generator runs to its end, nobody reads
        }
        long sequence = sent + 1;
        long waitUntil = Math.min(deadline, nanoTime.getAsLong() + patience.toNanos());
        FlowWindow.Clearance clearance;
        try {
            clearance = window.await(sequence, waitUntil);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TaskError.of(ErrorKind.UNAVAILABLE, "task '" + labels.task() + "' was stopped while streaming; retry");
        }
        if (clearance == FlowWindow.Clearance.CANCELLED) {
            return false;
        }
        if (clearance == FlowWindow.Clearance.FULL) {
            throw slowCaller(deadline);
        }
        ReplySender.Outgoing outgoing = replies.prepare(labels.task(), request, chunk, null);
        if (outgoing.failure() != null) {
            throw outgoing.failure(); // a chunk over max_payload ends the stream with too_large
        }
        Headers headers = outgoing.headers();
        headers.put(WireHeaders.CHUNK, Long.toString(sequence));
        if (sequence == 1) {
            headers.put(WireHeaders.WINDOW, Integer.toString(window.window()));
        }
        try {
            connection.publish(request.replyTo(), ackSubscription.getSubject(), headers, outgoing.body());
        } catch (RuntimeException e) {
            throw TaskError.of(ErrorKind.CRASHED, "task '" + labels.task() + "' could not send chunk " + sequence
                    + " on '" + request.subject() + "': " + e.getMessage());
        }
        sent = sequence;
        metrics.chunk(labels);
        return true;
    }

    private TaskError slowCaller(long deadline) {
        if (deadline - nanoTime.getAsLong() <= 0) {
            return TaskError.of(ErrorKind.TIMED_OUT, "task '" + labels.task() + "' did not finish its stream within its"
                    + " stream_timeout on subject '" + request.subject() + "': the caller acknowledged only "
                    + window.acknowledged() + " of " + sent + " chunks");
        }
        return TaskError.of(ErrorKind.TIMED_OUT, "the caller of task '" + labels.task() + "' on '" + request.subject()
                + "' acknowledged no chunk beyond " + window.acknowledged() + " for " + Durations.format(patience)
                + " while " + sent + " were sent (window " + window.window() + "); a consumer acknowledges chunks by"
                + " replying to them with the highest chunk number it has processed");
    }

    @Override
    public boolean cancelled() {
        FlowWindow current = window;
        return current != null && current.cancelled();
    }

    /** The outcome label of the stream's end: "ok", "cancelled" or the failure's kind. */
    String outcome(TaskError failure) {
        if (failure != null) {
            return failure.kind().label();
        }
        return cancelled() ? "cancelled" : "ok";
    }

    /** Ends the stream: an empty message with {@link WireHeaders#END}, or the failure in the error form, with it too. */
    void end(TaskError failure) {
        try {
            if (request.replyTo() != null && !cancelled()) {
                ReplySender.Outgoing outgoing = replies.prepare(labels.task(), request, TaskReply.empty(), failure);
                outgoing.headers().put(WireHeaders.END, Long.toString(sent));
                replies.send(labels.task(), request, outgoing);
            } else if (failure != null) {
                replies.send(labels.task(), request, replies.prepare(labels.task(), request, null, failure));
            }
        } finally {
            if (ackSubscription != null) {
                acks.get().unsubscribe(ackSubscription);
            }
        }
    }
}
