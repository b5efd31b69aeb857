package dev.metropolis.guest;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one HTTP client scripts' requests go through (connections reused, HTTP/2 where offered,
 * redirects not followed: each target is checked against the grants first), made when a script
 * first sends a request. A host whose scripts send none runs no client, and so no selector thread
 * that a task filling the heap could kill (nothing would replace it: the host would exit).
 */
public final class SharedHttpClient implements AutoCloseable {
    private HttpClient client;
    private boolean closed;

    /** The client, made on the first call. */
    synchronized HttpClient get() {
        if (closed) {
            throw new IllegalStateException("the host is stopping: no more HTTP requests");
        }
        if (client == null) {
            client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        }
        return client;
    }

    /** Whether a script has sent a request yet (the client exists). */
    synchronized boolean isStarted() {
        return client != null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
    }
}
