package dev.metropolis.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The gateway's own endpoints in the OpenAPI document: the task list, this document, and jobs. */
final class GatewayPaths {
    private GatewayPaths() {}

    static void add(ObjectNode paths, EdgePolicy edge) {
        listing(paths, "/tasks", "listTasks", "every route and task the gateway serves, with their schemas", edge);
        listing(paths, "/openapi.json", "openApi", "this document", edge);
        ObjectNode job = paths.putObject("/jobs/{id}").putObject("get");
        job.putArray("tags").add("metropolis");
        job.put("operationId", "getJob");
        job.put("summary", "an asynchronous job's state and, once finished, its reply");
        ObjectNode id = job.putArray("parameters").addObject();
        id.put("name", "id").put("in", "path").put("required", true).putObject("schema").put("type", "string");
        ObjectNode responses = job.putObject("responses");
        json(responses.putObject("200"), "the job");
        responses.set("404", ErrorStatuses.ref(404));
        if (edge.enforced()) {
            job.putArray("security"); // a job's id is its credential: unguessable, returned only to its submitter
        }
    }

    private static void listing(ObjectNode paths, String path, String id, String summary, EdgePolicy edge) {
        ObjectNode get = paths.putObject(path).putObject("get");
        get.putArray("tags").add("metropolis");
        get.put("operationId", id);
        get.put("summary", summary);
        ObjectNode responses = get.putObject("responses");
        json(responses.putObject("200"), summary);
        if (edge.enforced()) {
            get.set("security", OpenApiDocument.security(edge.listPolicy()));
            if (edge.listPolicy().kind() != dev.metropolis.task.AccessPolicy.Kind.PUBLIC) {
                responses.set("401", ErrorStatuses.ref(401));
            }
        }
    }

    private static void json(ObjectNode response, String description) {
        response.put("description", description);
        response.putObject("content").putObject("application/json").putObject("schema").put("type", "object");
    }
}
