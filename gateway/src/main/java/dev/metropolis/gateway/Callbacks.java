package dev.metropolis.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * POSTs a finished job to its {@code X-Callback-Url}, and again on the {@link CallbackSchedule}
 * while the caller's server does not answer 2xx. Runs in the process that finished the job; kept
 * in memory only, so the retries of a gateway that stops are not resumed.
 */
final class Callbacks {
    private static final Logger LOG = Logger.getLogger(Callbacks.class.getName());
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final GatewayMetrics metrics;

    Callbacks(HttpClient http, ScheduledExecutorService timer, Clock clock, GatewayMetrics metrics) {
        this.http = http;
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Sends the job's result if it has a callback URL; returns at once. */
    void send(Job job) {
        if (job.callbackUrl() != null) {
            attempt(job, 1, clock.instant());
        }
    }

    private void attempt(Job job, int attempt, Instant first) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(job.callbackUrl())).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(JobSubmitter.JOB_ID, job.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(JobStore.json(job))).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && CallbackSchedule.delivered(response.statusCode())) {
                metrics.callback("delivered");
                return;
            }
            String why = error != null ? error.toString() : "status " + response.statusCode();
            var next = CallbackSchedule.nextAttempt(attempt, first, clock.instant());
            if (next.isEmpty()) {
                metrics.callback("given_up");
                LOG.log(Level.WARNING, "job {0}: callback to {1} given up after {2} attempts (last: {3})",
                        new Object[] {job.id(), job.callbackUrl(), attempt, why});
                return;
            }
            metrics.callback("retried");
            LOG.log(Level.FINE, "job {0}: callback to {1} failed ({2}); attempt {3} follows",
                    new Object[] {job.id(), job.callbackUrl(), why, attempt + 1});
            long delay = Math.max(0, Duration.between(clock.instant(), next.get()).toMillis());
            timer.schedule(() -> attempt(job, attempt + 1, first), delay, TimeUnit.MILLISECONDS);
        });
    }

    /** Callers must close the client themselves; nothing here holds a resource beyond it. */
    static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

}
