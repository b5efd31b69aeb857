package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.host.ReloadPlan.NotATask;
import dev.metropolis.host.ReloadPlan.Refuse;
import dev.metropolis.host.ReloadPlan.Stop;
import dev.metropolis.host.ReloadPlan.Takeover;
import dev.metropolis.host.ReloadPlan.Version;
import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reload decision as a pure function: scripts are read from a temporary folder, nothing runs or connects. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReloadPlanTest {
    @TempDir
    Path folder;

    private final Map<Path, TaskScript> served = new LinkedHashMap<>();

    /** A JS script file with {@code extraHeader} lines (TOML, without the comment marker), loaded. */
    private TaskScript script(String name, String subject, String result, String... extraHeader) throws Exception {
        StringBuilder source = new StringBuilder("// /// metropolis\n// subject = \"" + subject + "\"\n");
        for (String line : extraHeader) {
            source.append("// ").append(line).append('\n');
        }
        source.append("// ///\nexport function handle(body) { return ").append(result).append("; }\n");
        Path file = folder.resolve(name);
        Files.writeString(file, source);
        return TaskScript.load(file).orElseThrow();
    }

    private TaskScript serving(TaskScript script) {
        served.put(script.file(), script);
        return script;
    }

    private ReloadPlan plan(FileChange... changes) {
        return ReloadPlan.of(served, List.of(changes));
    }

    private static FileChange loaded(TaskScript script) {
        return new FileChange.Loaded(script);
    }

    @Test
    void aNewScriptStartsANewService() throws Exception {
        TaskScript added = script("added.js", "added", "'a'");

        ReloadPlan plan = plan(loaded(added));

        assertThat(plan.now()).isEmpty();
        assertThat(plan.versions()).containsExactly(new Version(added, Takeover.START));
    }

    @Test
    void aFileTouchedButNotChangedDoesNothing() throws Exception {
        TaskScript current = serving(script("same.js", "same", "'a'"));
        TaskScript reread = TaskScript.load(current.file()).orElseThrow();

        ReloadPlan plan = plan(loaded(reread));

        assertThat(plan.now()).isEmpty();
        assertThat(plan.versions()).isEmpty();
    }

    @Test
    void anEditThatKeepsSubjectsQueueAndMetadataSwapsInPlace() throws Exception {
        serving(script("edit.js", "edit", "'v1'"));
        TaskScript next = script("edit.js", "edit", "'v2'");

        assertThat(plan(loaded(next)).versions()).containsExactly(new Version(next, Takeover.SWAP));
    }

    @Test
    void anEditThatMovesTheSubjectReplacesTheService() throws Exception {
        serving(script("mover.js", "mover.before", "'here'"));
        TaskScript next = script("mover.js", "mover.after", "'moved'");

        assertThat(plan(loaded(next)).versions()).containsExactly(new Version(next, Takeover.REPLACE));
    }

    @Test
    void anEditOfWhatDiscoveryShowsReplacesTheService() throws Exception {
        serving(script("meta.js", "meta", "'v1'"));
        TaskScript queue = script("meta.js", "meta", "'v1'", "queue = \"other\"");
        TaskScript version = script("meta.js", "meta", "'v1'", "version = \"1.2.3\"");
        TaskScript timeout = script("meta.js", "meta", "'v1'", "timeout = \"2s\"");
        TaskScript description = script("meta.js", "meta", "'v1'", "description = \"now described\"");

        for (TaskScript next : List.of(queue, version, timeout, description)) {
            assertThat(plan(loaded(next)).versions()).as(next.source())
                    .containsExactly(new Version(next, Takeover.REPLACE));
        }
    }

    @Test
    void aDeletedFileStops() throws Exception {
        TaskScript gone = serving(script("gone.js", "gone", "'a'"));

        ReloadPlan plan = plan(new FileChange.Deleted(gone.file()));

        assertThat(plan.now()).containsExactly(new Stop(gone.file(), "deleted"));
        assertThat(plan.versions()).isEmpty();
    }

    @Test
    void aFileThatLostItsHeaderIsNotATask() throws Exception {
        TaskScript current = serving(script("plain.js", "plain", "'a'"));

        assertThat(plan(new FileChange.NoHeader(current.file())).now()).containsExactly(new NotATask(current.file()));
    }

    @Test
    void anEmptyFileIsIgnoredUntilItsContentArrives() throws Exception {
        TaskScript current = serving(script("typing.js", "typing", "'a'"));

        ReloadPlan plan = plan(new FileChange.Emptied(current.file()));

        assertThat(plan.now()).isEmpty();
        assertThat(plan.versions()).isEmpty();
    }

    @Test
    void anUnreadableVersionIsRefusedAndThePreviousOneKeepsServing() throws Exception {
        TaskScript current = serving(script("broken.js", "broken", "'a'"));
        ScriptProblem problem = new ScriptProblem(current.file(), 2, "bad header");

        ReloadPlan plan = plan(new FileChange.Unreadable(problem));

        assertThat(plan.now()).containsExactly(new Refuse(problem, false));
        assertThat(plan.versions()).isEmpty();
    }

    @Test
    void aSecondFileOnAServedSubjectIsRefusedWithTheOwnersName() throws Exception {
        TaskScript owner = serving(script("owner.js", "contested", "'owner'"));
        TaskScript heir = script("heir.js", "contested", "'heir'");

        ReloadPlan plan = plan(loaded(heir));

        assertThat(plan.versions()).isEmpty();
        assertThat(plan.now()).singleElement().isInstanceOfSatisfying(Refuse.class, refuse -> {
            assertThat(refuse.conflict()).isTrue();
            assertThat(refuse.problem().file()).isEqualTo(heir.file());
            assertThat(refuse.problem().getMessage()).isEqualTo(heir.file() + ": subject 'contested' in queue '"
                    + owner.header().queue() + "' is already served by owner.js; give one of them another subject or queue");
        });
    }

    @Test
    void twoNewFilesOnOneSubjectTheFirstInFileOrderServes() throws Exception {
        TaskScript first = script("a.js", "twice", "'a'");
        TaskScript second = script("b.js", "twice", "'b'");

        ReloadPlan plan = plan(loaded(second), loaded(first));

        assertThat(plan.versions()).containsExactly(new Version(first, Takeover.START));
        assertThat(plan.now()).singleElement().isInstanceOfSatisfying(Refuse.class,
                refuse -> assertThat(refuse.problem().file()).isEqualTo(second.file()));
    }

    @Test
    void oneSubjectInTwoQueueGroupsIsNoConflict() throws Exception {
        serving(script("a.js", "shared", "'a'"));
        TaskScript other = script("b.js", "shared", "'b'", "queue = \"elsewhere\"");

        assertThat(plan(loaded(other)).versions()).containsExactly(new Version(other, Takeover.START));
    }

    @Test
    void anOwnerDeletedInTheSameBatchFreesItsSubject() throws Exception {
        TaskScript owner = serving(script("owner.js", "contested", "'owner'"));
        TaskScript heir = script("heir.js", "contested", "'heir'");

        ReloadPlan plan = plan(new FileChange.Deleted(owner.file()), loaded(heir));

        assertThat(plan.now()).containsExactly(new Stop(owner.file(), "deleted"));
        assertThat(plan.versions()).containsExactly(new Version(heir, Takeover.START));
    }

    @Test
    void anOwnerMovingAwayInTheSameBatchStillHoldsItsSubjectUntilItsNewVersionServes() throws Exception {
        // The new version may fail to warm, and then the old one keeps the subject: the heir waits for the retry.
        serving(script("owner.js", "contested", "'owner'"));
        TaskScript moved = script("owner.js", "elsewhere", "'owner'");
        TaskScript heir = script("heir.js", "contested", "'heir'");

        ReloadPlan plan = plan(loaded(moved), loaded(heir));

        assertThat(plan.versions()).containsExactly(new Version(moved, Takeover.REPLACE));
        assertThat(plan.now()).singleElement().isInstanceOfSatisfying(Refuse.class, refuse -> {
            assertThat(refuse.conflict()).isTrue();
            assertThat(refuse.problem().file()).isEqualTo(heir.file());
        });
    }

    @Test
    void aRefusedFileTriedAgainAfterItsOwnerWentServes() throws Exception {
        serving(script("owner.js", "contested", "'owner'"));
        TaskScript heir = script("heir.js", "contested", "'heir'");
        assertThat(plan(loaded(heir)).versions()).isEmpty();

        served.clear(); // the owner went
        assertThat(plan(loaded(heir)).versions()).containsExactly(new Version(heir, Takeover.START));
    }

    @Test
    void stopsAndRefusalsComeInFileOrderWithConflictsLast() throws Exception {
        serving(script("b-owner.js", "taken", "'b'"));
        TaskScript clash = script("a-clash.js", "taken", "'a'");
        Path deleted = folder.resolve("c-deleted.js");
        ScriptProblem problem = new ScriptProblem(folder.resolve("d-broken.js"), 1, "broken");

        ReloadPlan plan = plan(new FileChange.Unreadable(problem), new FileChange.Deleted(deleted), loaded(clash));

        assertThat(plan.now()).hasSize(3);
        assertThat(plan.now().get(0)).isEqualTo(new Stop(deleted, "deleted"));
        assertThat(plan.now().get(1)).isEqualTo(new Refuse(problem, false));
        assertThat(plan.now().get(2)).isInstanceOfSatisfying(Refuse.class, refuse -> {
            assertThat(refuse.conflict()).isTrue();
            assertThat(refuse.problem().file()).isEqualTo(clash.file());
        });
    }

    @Test
    void aNewVersionMayKeepItsOwnSubjects() throws Exception {
        serving(script("mine.js", "mine", "'v1'"));
        TaskScript next = script("mine.js", "mine", "'v2'", "concurrency = 2");

        assertThat(plan(loaded(next)).versions()).containsExactly(new Version(next, Takeover.REPLACE));
        assertThat(plan(loaded(next)).now()).isEmpty();
    }

    // ---- reading a file --------------------------------------------------------------------------------

    @Test
    void readingAFileTellsWhatItHolds() throws Exception {
        TaskScript script = script("task.js", "task", "'a'");
        Path empty = Files.writeString(folder.resolve("empty.js"), "");
        Path plain = Files.writeString(folder.resolve("plain.js"), "export function handle() { return 1; }\n");
        Path broken = Files.writeString(folder.resolve("broken.js"), "// /// metropolis\n// subjekt = \"x\"\n// ///\n");

        assertThat(FileChange.read(script.file())).isEqualTo(new FileChange.Loaded(script));
        assertThat(FileChange.read(folder.resolve("missing.js"))).isEqualTo(new FileChange.Deleted(folder.resolve("missing.js")));
        assertThat(FileChange.read(empty)).isEqualTo(new FileChange.Emptied(empty));
        assertThat(FileChange.read(plain)).isEqualTo(new FileChange.NoHeader(plain));
        assertThat(FileChange.read(broken)).isInstanceOfSatisfying(FileChange.Unreadable.class,
                unreadable -> assertThat(unreadable.problem().file()).isEqualTo(broken));
    }
}
