package dev.metropolis.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a changed file reloads, decided from what each served script read. */
class ImportGraphTest {
    private static final Path A = Path.of("/s/a.py");
    private static final Path B = Path.of("/s/b.mjs");
    private static final Path HELPER = Path.of("/s/validation.py");
    private static final Path DEEP = Path.of("/s/lib/money.mjs");
    private final ImportGraph graph = new ImportGraph(Map.of(A, Set.of(A, HELPER), B, Set.of(B, Path.of("/s/lib/fmt.mjs"), DEEP)));

    @Test
    void aHelperReloadsTheScriptsThatReadItDirectlyOrTransitively() {
        assertThat(graph.dependents(List.of(HELPER))).containsExactly(A);
        assertThat(graph.dependents(List.of(DEEP))).containsExactly(B);
        assertThat(graph.dependents(List.of(HELPER, DEEP))).containsExactly(A, B);
    }

    @Test
    void aModuleImportedByNothingReloadsNothing() {
        assertThat(graph.dependents(List.of(Path.of("/s/unused.py")))).isEmpty();
        assertThat(graph.isImported(Path.of("/s/unused.py"))).isFalse();
        assertThat(graph.isImported(HELPER)).isTrue();
    }

    @Test
    void aScriptsOwnChangeIsNotADependency() {
        assertThat(graph.dependents(List.of(A))).isEmpty();
        assertThat(graph.isImported(A)).as("a script reading itself is not imported").isFalse();
    }
}
