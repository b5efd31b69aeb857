package dev.metropolis.script;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The tasks a Python file registers with the original Metropolis decorator,
 * {@code @worker.task(subject='foo.bar', queue='worker')}: served on their subjects in the
 * original wire form (keyword arguments in, a {@code {"code", "data"}} envelope out).
 *
 * @param tasks the decorated tasks in file order, at least one, each subject once, all in one queue group
 * @param notes what the host logs when the file is served: a header's subject or queue the decorators overrode
 */
public record WorkerTasks(List<Task> tasks, List<String> notes) {

    /**
     * One decorator as the file spells it.
     *
     * @param subject the NATS subject (wildcards allowed)
     * @param queue   the queue group
     * @param line    the 1-based line of the decorator
     */
    public record Task(String subject, String queue, int line) {
        public Task {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(queue, "queue");
        }
    }

    public WorkerTasks {
        tasks = List.copyOf(tasks);
        notes = List.copyOf(notes);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a worker file registers at least one task");
        }
        Set<String> subjects = new HashSet<>();
        for (Task task : tasks) {
            if (!subjects.add(task.subject())) {
                throw new IllegalArgumentException("subject '" + task.subject() + "' is registered twice");
            }
            if (!task.queue().equals(tasks.getFirst().queue())) {
                throw new IllegalArgumentException("the tasks of one file share one queue group");
            }
        }
    }

    /** The subjects in file order. */
    public List<String> subjects() {
        return tasks.stream().map(Task::subject).toList();
    }

    /** The queue group every task of the file is in. */
    public String queue() {
        return tasks.getFirst().queue();
    }

    /** The same tasks with one more note to log. */
    WorkerTasks withNote(String note) {
        List<String> more = new java.util.ArrayList<>(notes);
        more.add(note);
        return new WorkerTasks(tasks, more);
    }
}
