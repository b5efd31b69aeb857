package dev.metropolis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metropolis.task.TaskMetadata;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A route's input and output JSON Schemas as its host announced them on the endpoint
 * ({@code metropolis.input}, {@code metropolis.output}), parsed once per discovery round.
 *
 * @param input  the input schema, or null when the task declares none
 * @param output the output schema, or null
 */
record RouteSchemas(JsonNode input, JsonNode output) {
    static final RouteSchemas NONE = new RouteSchemas(null, null);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(RouteSchemas.class.getName());

    /** Reads an endpoint's metadata; a schema that is not JSON is left out (and logged), never fatal to the route. */
    static RouteSchemas of(Map<String, String> endpoint) {
        JsonNode input = parse(endpoint.get(TaskMetadata.INPUT));
        JsonNode output = parse(endpoint.get(TaskMetadata.OUTPUT));
        return input == null && output == null ? NONE : new RouteSchemas(input, output);
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            LOG.log(Level.FINE, "an announced schema is not JSON, left out: {0}", e.getOriginalMessage());
            return null;
        }
    }
}
