package dev.metropolis.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header's {@code input} / {@code output}: tables, inline tables, schema files, and what is refused. */
class SchemaHeaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @Test
    void aTableIsTheInputSchemaAsJson() throws Exception {
        ScriptHeader header = parse("""
                # /// metropolis
                # subject = "orders.create"
                # [input]
                # type = "object"
                # required = ["item", "qty"]
                # properties.item = { type = "string" }
                # properties.qty = { type = "integer", minimum = 1 }
                # ///
                """);

        assertThat(JSON.readTree(header.schemas().input().json())).isEqualTo(JSON.readTree("""
                {"type":"object","required":["item","qty"],"properties":{"item":{"type":"string"},
                 "qty":{"type":"integer","minimum":1}}}"""));
        assertThat(header.schemas().output()).isNull();
        assertThat(header.schemas().metadata()).containsOnlyKeys("metropolis.input");
    }

    @Test
    void anInlineTableWorksForBothKeys() throws Exception {
        ScriptHeader header = parse("""
                # /// metropolis
                # subject = "math.add"
                # input = { type = "object", required = ["a", "b"] }
                # output = { type = "number" }
                # ///
                """);

        assertThat(header.schemas().input().json()).isEqualTo("{\"type\":\"object\",\"required\":[\"a\",\"b\"]}");
        assertThat(header.schemas().output().json()).isEqualTo("{\"type\":\"number\"}");
    }

    @Test
    void aSchemaFileInsideTheFolderIsReadAndRecorded() throws Exception {
        Files.createDirectories(folder.resolve("schemas"));
        Files.writeString(folder.resolve("schemas/order.json"), "{\"type\": \"object\", \"required\": [\"id\"]}");

        ScriptHeader header = parse("""
                # /// metropolis
                # subject = "orders.create"
                # input = "schemas/order.json"
                # ///
                """);

        assertThat(header.schemas().input().json()).isEqualTo("{\"type\":\"object\",\"required\":[\"id\"]}");
        assertThat(header.schemas().files()).containsExactly(folder.resolve("schemas/order.json").toRealPath());
    }

    @Test
    void aSchemaFileOutsideTheFolderIsRefused() throws IOException {
        Path outside = Files.writeString(folder.resolveSibling(folder.getFileName() + "-outside.json"), "{}");
        try {
            assertThatThrownBy(() -> parse(header("input = \"../" + outside.getFileName() + "\"")))
                    .isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("task.py:3: key 'input': '../" + outside.getFileName() + "' is outside the scripts folder");
            assertThatThrownBy(() -> parse(header("input = \"/etc/passwd.json\"")))
                    .hasMessageContaining("is outside the scripts folder");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void aSymbolicLinkOutOfTheFolderIsRefused() throws IOException {
        Path outside = Files.writeString(Files.createTempFile("schema", ".json"), "{}");
        try {
            Files.createSymbolicLink(folder.resolve("linked.json"), outside);
            assertThatThrownBy(() -> parse(header("input = \"linked.json\"")))
                    .hasMessageContaining("task.py:3: key 'input': 'linked.json' leads outside the scripts folder");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void aMissingOrBrokenSchemaFileIsALoadErrorNamingIt() throws IOException {
        assertThatThrownBy(() -> parse(header("input = \"schemas/none.json\"")))
                .hasMessageContaining("task.py:3: key 'input': schema file 'schemas/none.json' does not exist");
        Files.writeString(folder.resolve("broken.json"), "{\"type\": \"object\",\n \"required\": [\"id\"");
        assertThatThrownBy(() -> parse(header("input = \"broken.json\"")))
                .hasMessageContaining("task.py:3: key 'input': schema file broken.json: not valid JSON")
                .hasMessageContaining("line 2");
    }

    @Test
    void aSchemaThatIsNotValidJsonSchemaIsALoadErrorAtItsLine() {
        assertThatThrownBy(() -> parse("""
                # /// metropolis
                # subject = "a.b"
                # timeout = "1s"
                # [input]
                # type = "objekt"
                # minimum = "one"
                # ///
                """))
                .isInstanceOf(ScriptProblem.class)
                .hasMessageContaining("task.py:4: key 'input': not a valid JSON Schema (draft 2020-12): /type: enum:")
                .hasMessageContaining("/minimum: type: string found, number expected");
    }

    @Test
    void aHeaderKeyAfterTheTableIsToldToMoveUp() {
        assertThatThrownBy(() -> parse("""
                # /// metropolis
                # subject = "a.b"
                # [input]
                # type = "object"
                # timeout = "1s"
                # ///
                """))
                .hasMessageContaining("task.py:3: key 'input.timeout': 'timeout' is a header key, but keys after [input]"
                        + " belong to the schema: move 'timeout' above the [input] line");
    }

    @Test
    void otherDialectsRemoteReferencesAndOtherValuesAreRefused() {
        assertThatThrownBy(() -> parse(header("input = { \"$schema\" = \"http://json-schema.org/draft-07/schema#\" }")))
                .hasMessageContaining("is not draft 2020-12");
        assertThatThrownBy(() -> parse(header("input = { \"$ref\" = \"https://example.com/order.json\" }")))
                .hasMessageContaining("/$ref \"https://example.com/order.json\" points outside the schema");
        assertThatThrownBy(() -> parse(header("input = 42")))
                .hasMessageContaining("key 'input': expected a JSON Schema as a table");
    }

    @Test
    void aStreamTaskMayCheckItsInputButHasNoOutput() {
        assertThatThrownBy(() -> parse("""
                # /// metropolis
                # subject = "orders.created"
                # stream = "ORDERS"
                # output = { type = "object" }
                # ///
                """))
                .hasMessageContaining("task.py:4: key 'output': 'output' describes a reply");
    }

    private static String header(String line) {
        return "# /// metropolis\n# subject = \"a.b\"\n# " + line + "\n# ///\n";
    }

    private ScriptHeader parse(String source) throws ScriptProblem {
        return HeaderParser.parse(folder.resolve("task.py"), source, Language.PYTHON).orElseThrow();
    }
}
