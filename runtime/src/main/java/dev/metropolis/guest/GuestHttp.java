package dev.metropolis.guest;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Durations;
import dev.metropolis.task.ErrorKind;
import dev.metropolis.task.TaskReply;
import dev.metropolis.task.WireHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The host end of JavaScript's {@code fetch} and Python's {@code metropolis.http}: HTTP requests a
 * task sends to the origins its header grants, on the host's shared client (connections reused,
 * HTTP/1.1 and 2). Redirects are followed here, each target checked against the grants again; the
 * response is read up to a size limit; the message's deadline bounds the whole exchange.
 */
final class GuestHttp {
    private static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Headers the client sets itself; a task may not. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final TaskScript script;
    private final SharedHttpClient client;
    private final long maxResponseBytes;

    GuestHttp(TaskScript script, SharedHttpClient client, long maxResponseBytes) {
        this.script = script;
        this.client = client;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** What a request came to: a response (of any status), a failure to get one, or a refusal. */
    sealed interface Outcome permits Response, GuestCalls.Failed, GuestCalls.Refused {}

    /** A response: its status, its headers as [name, value, ...], its body and the URL it came from. */
    record Response(int status, List<String> headers, byte[] body, String url) implements Outcome {}

    /**
     * Sends one request (and the redirects it leads to) within {@code timeout} (null: as long as the
     * message's deadline allows) and never past the deadline.
     */
    Outcome send(CallScope scope, String method, String url, Map<String, String> headers, TaskReply body,
            Duration timeout) {
        String verb = method.toUpperCase(Locale.ROOT);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return new GuestCalls.Refused("'" + url + "' is not a URL: " + e.getReason());
        }
        GuestCalls.Refused refused = check(uri, null);
        if (refused != null) {
            return refused;
        }
        for (String name : headers.keySet()) {
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                return new GuestCalls.Refused("the header '" + name + "' is set by the host's HTTP client; leave it out");
            }
        }
        Duration remaining = scope.remaining();
        Duration limit = timeout == null || timeout.compareTo(remaining) > 0 ? remaining : timeout;
        long deadline = System.nanoTime() + limit.toNanos();
        for (int redirects = 0; ; redirects++) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.toMillis() <= 0) {
                return timedOut(uri, limit);
            }
            HttpResponse<InputStream> response;
            try {
                response = client.get().send(request(scope, verb, uri, headers, body, left),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) { // connecting or answering
                return timedOut(uri, limit);
            } catch (IOException e) {
                return new GuestCalls.Failed(502, ErrorKind.UNAVAILABLE.label(), verb + " " + uri + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the task's deadline: the watchdog stops it
                return timedOut(uri, limit);
            }
            String location = response.headers().firstValue("Location").orElse(null);
            if (!REDIRECTS.contains(response.statusCode()) || location == null) {
                return read(uri, response);
            }
            closeQuietly(response);
            if (redirects == MAX_REDIRECTS) {
                return new GuestCalls.Failed(502, ErrorKind.CRASHED.label(), verb + " " + url + " was redirected more than "
                        + MAX_REDIRECTS + " times");
            }
            URI next = uri.resolve(location);
            refused = check(next, uri);
            if (refused != null) {
                return refused;
            }
            // 303, and 301/302 after a POST, continue as GET without the body, as browsers do.
            if (response.statusCode() == 303 || (response.statusCode() <= 302 && verb.equals("POST"))) {
                verb = "GET";
                body = TaskReply.empty();
            }
            uri = next;
        }
    }

    private HttpRequest request(CallScope scope, String method, URI uri, Map<String, String> headers, TaskReply body,
            Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
        headers.forEach(request::header);
        String requestId = scope.requestId();
        if (requestId != null && headers.keySet().stream().noneMatch(WireHeaders.REQUEST_ID::equalsIgnoreCase)) {
            request.header(WireHeaders.REQUEST_ID, requestId);
        }
        if (body.contentType() != null && headers.keySet().stream().noneMatch(WireHeaders.CONTENT_TYPE::equalsIgnoreCase)) {
            request.header(WireHeaders.CONTENT_TYPE, body.contentType());
        }
        HttpRequest.BodyPublisher publisher = body.body().length == 0
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body.body());
        return request.method(method, publisher).build();
    }

    private Outcome read(URI uri, HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBytes + 1));
            if (data.length > maxResponseBytes) {
                return new GuestCalls.Failed(502, ErrorKind.TOO_LARGE.label(), "the response of " + uri + " is larger than "
                        + maxResponseBytes + " bytes, the most a task may read (--http-max-response)");
            }
            List<String> flat = new ArrayList<>();
            response.headers().map().forEach((name, values) -> {
                flat.add(name);
                flat.add(String.join(", ", values));
            });
            return new Response(response.statusCode(), flat, data, uri.toString());
        } catch (IOException e) {
            return new GuestCalls.Failed(502, ErrorKind.UNAVAILABLE.label(), "reading the response of " + uri + " failed: " + e);
        }
    }

    private GuestCalls.Refused check(URI uri, URI redirectedFrom) {
        if (!uri.isAbsolute() || uri.getHost() == null
                || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return new GuestCalls.Refused("'" + uri + "' is not an http or https URL with a host");
        }
        if (script.header().allow().allowsUrl(uri)) {
            return null;
        }
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        return new GuestCalls.Refused(script.refusal("reach " + origin
                + (redirectedFrom == null ? "" : " (" + redirectedFrom + " redirected there)"), "http", origin));
    }

    private static GuestCalls.Failed timedOut(URI uri, Duration limit) {
        return new GuestCalls.Failed(504, ErrorKind.TIMED_OUT.label(), uri + " did not answer within "
                + Durations.format(limit.truncatedTo(ChronoUnit.MILLIS)));
    }

    private static void closeQuietly(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.readNBytes(64 * 1024); // a short redirect body read to its end lets the connection be reused
        } catch (IOException e) {
            // the connection is dropped instead of reused; nothing else depends on it
        }
    }

    /** The response body as text, for the adapters' {@code text}: UTF-8, invalid bytes replaced. */
    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
