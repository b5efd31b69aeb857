package dev.metropolis.gateway;

import dev.metropolis.task.HostEvent;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /console/api/events}: the hosts' events as Server-Sent Events, one {@code event:}
 * per host event (its type), its JSON as {@code data:} and its number as {@code id:}. A comment
 * every {@link #HEARTBEAT} keeps proxies from closing a quiet stream and finds pages that left.
 */
final class ConsoleEventStream implements Handler {
    private static final Logger LOG = Logger.getLogger(ConsoleEventStream.class.getName());
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final ConsoleEvents events;

    ConsoleEventStream(ConsoleEvents events) {
        this.events = events;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        try (ConsoleEvents.Listener listener = events.listen(); SseSink sink = response.sink(SseSink.TYPE)) {
            sink.emit(SseEvent.builder().comment("metropolis events").reconnectDelay(Duration.ofSeconds(2)).build());
            for (ConsoleEvents.Numbered earlier : listener.backlog()) {
                sink.emit(event(earlier));
            }
            for (Optional<ConsoleEvents.Numbered> next = listener.next(HEARTBEAT); next != null;
                    next = listener.next(HEARTBEAT)) {
                sink.emit(next.isPresent() ? event(next.get()) : SseEvent.builder().comment("heartbeat").build());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!ClientGone.is(e)) {
                throw e;
            }
            LOG.log(Level.FINE, "a console page left its event stream: {0}", e.toString());
        }
    }

    private static SseEvent event(ConsoleEvents.Numbered numbered) {
        HostEvent event = numbered.event();
        return SseEvent.builder().id(Long.toString(numbered.id())).name(event.type().label())
                .data(new String(event.toJson(), StandardCharsets.UTF_8)).build();
    }
}
