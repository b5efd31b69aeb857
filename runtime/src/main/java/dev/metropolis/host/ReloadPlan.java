package dev.metropolis.host;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.serve.TaskService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one batch of file changes does to the served scripts, as a pure function of what is
 * served and what the files hold now. {@link #now()} is carried out at once, in order (stops and
 * refusals); {@link #versions()} are warmed, and each takes over as planned once warm (a version
 * that fails to warm is refused instead, and the previous one keeps serving).
 *
 * @param now      stops and refusals, in file order, conflicts last
 * @param versions new versions to warm, in file order, with how each takes over
 */
record ReloadPlan(List<Action> now, List<Version> versions) {

    /** Something done at once, before any version warms. */
    sealed interface Action {}

    /** Stop serving {@code file} (if it serves), logging {@code why}. */
    record Stop(Path file, String why) implements Action {}

    /** The file has no header: stop serving it (if it serves) and warn that it is not a task. */
    record NotATask(Path file) implements Action {}

    /** Report a problem; a served previous version keeps serving. {@code conflict}: retry when the subject frees up. */
    record Refuse(ScriptProblem problem, boolean conflict) implements Action {}

    /** How a warm version takes over. */
    enum Takeover {
        /** The file was not served: a new service. */
        START,
        /** Same subjects, queue and metadata: the running service switches to the new version in place. */
        SWAP,
        /** The service changes: a new service starts, then the old one retires. */
        REPLACE
    }

    /** A new version of a file to warm, and how it takes over once warm. */
    record Version(TaskScript script, Takeover takeover) {}

    /** One subject in one queue group: two files may not claim the same. */
    private record Claim(String subject, String queue) {}

    /** The reason logged when a file is deleted. */
    static final String DELETED = "deleted";
    /** The reason logged when a file loses its header. */
    static final String NO_HEADER = "no longer has a metropolis header";

    ReloadPlan {
        now = List.copyOf(now);
        versions = List.copyOf(versions);
    }

    /**
     * Plans a batch.
     *
     * @param served  the version served for each file, in the order they were first served
     * @param changes what each file of the batch holds now
     */
    static ReloadPlan of(Map<Path, TaskScript> served, Collection<FileChange> changes) {
        return of(served, changes, java.util.Set.of());
    }

    /**
     * Plans a batch in which the files in {@code stale} load again even where their own text is
     * unchanged: something they import changed (see {@link ImportGraph}).
     */
    static ReloadPlan of(Map<Path, TaskScript> served, Collection<FileChange> changes, java.util.Set<Path> stale) {
        Map<Path, TaskScript> remaining = new LinkedHashMap<>(served);
        List<Action> now = new ArrayList<>();
        List<TaskScript> candidates = new ArrayList<>();
        for (FileChange change : changes.stream().sorted(Comparator.comparing(FileChange::file)).toList()) {
            switch (change) {
                case FileChange.Deleted deleted -> {
                    remaining.remove(deleted.file());
                    now.add(new Stop(deleted.file(), DELETED));
                }
                case FileChange.NoHeader noHeader -> {
                    remaining.remove(noHeader.file());
                    now.add(new NotATask(noHeader.file()));
                }
                case FileChange.Unreadable unreadable -> now.add(new Refuse(unreadable.problem(), false));
                case FileChange.Emptied emptied -> {
                    // being written: the next event brings the content
                }
                case FileChange.Loaded loaded -> {
                    if (stale.contains(loaded.file()) || !loaded.script().equals(served.get(loaded.file()))) { // else touched
                        candidates.add(loaded.script());
                    }
                }
            }
        }
        List<Version> versions = new ArrayList<>();
        for (TaskScript script : withoutConflicts(remaining, candidates, now)) {
            versions.add(new Version(script, takeover(remaining.get(script.file()), script)));
        }
        return new ReloadPlan(now, versions);
    }

    /** Two files may not serve one subject in one queue group: the one served first keeps it. */
    private static List<TaskScript> withoutConflicts(Map<Path, TaskScript> served, List<TaskScript> candidates,
            List<Action> now) {
        Map<Claim, Path> owners = new HashMap<>();
        served.forEach((file, current) -> claims(current).forEach(claim -> owners.put(claim, file)));
        List<TaskScript> accepted = new ArrayList<>();
        for (TaskScript script : candidates) {
            Optional<Claim> clash = claims(script).stream()
                    .filter(claim -> owners.containsKey(claim) && !owners.get(claim).equals(script.file()))
                    .findFirst();
            if (clash.isPresent()) {
                Claim claim = clash.get();
                now.add(new Refuse(new ScriptProblem(script.file(), 0, "subject '" + claim.subject() + "' in queue '"
                        + claim.queue() + "' is already served by " + owners.get(claim).getFileName()
                        + "; give one of them another subject or queue"), true));
                continue;
            }
            claims(script).forEach(claim -> owners.put(claim, script.file()));
            accepted.add(script);
        }
        return accepted;
    }

    private static List<Claim> claims(TaskScript script) {
        return script.header().subjects().stream().map(subject -> new Claim(subject, script.header().queue())).toList();
    }

    private static Takeover takeover(TaskScript current, TaskScript next) {
        if (current == null) {
            return Takeover.START;
        }
        return TaskService.canServe(current, next) ? Takeover.SWAP : Takeover.REPLACE;
    }
}
