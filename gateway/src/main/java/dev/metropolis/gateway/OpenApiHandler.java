package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskReply;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code GET /openapi.json}: the document of the routes known now, built per request (discovery changes it). */
final class OpenApiHandler implements Handler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RouteTable> routes;
    private final Supplier<EdgePolicy> edge;
    private final BooleanSupplier jwt;

    OpenApiHandler(Supplier<RouteTable> routes, Supplier<EdgePolicy> edge, BooleanSupplier jwt) {
        this.routes = routes;
        this.edge = edge;
        this.jwt = jwt;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        try {
            response.header(HeaderNames.CONTENT_TYPE, TaskReply.JSON).send(JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(OpenApiDocument.of(routes.get(), edge.get(), jwt.getAsBoolean())));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
