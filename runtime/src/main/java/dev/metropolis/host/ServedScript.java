package dev.metropolis.host;

import dev.metropolis.serve.TaskService;
import dev.metropolis.script.TaskScript;

/** A script file being served: its NATS service, whose runner holds the current version. */
record ServedScript(TaskService service) {

    TaskScript script() {
        return service.runner().script();
    }
}
