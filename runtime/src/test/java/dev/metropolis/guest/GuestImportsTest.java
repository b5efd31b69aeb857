package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskError;
import dev.metropolis.task.TaskRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scripts importing helpers and packages from real files in a scripts folder, through the guest's
 * read-only file system, and every way out of the folder refused.
 */
@Timeout(120)
class GuestImportsTest {
    private static Engines engines;
    private static GuestContexts contexts;

    @TempDir
    Path folder;

    @BeforeAll
    static void engines() {
        engines = new Engines();
        contexts = new GuestContexts(engines);
    }

    @AfterAll
    static void close() {
        engines.close();
    }

    private Path write(String name, String content) throws Exception {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private TaskScript py(String name, String body, String... allow) throws Exception {
        String grants = allow.length == 0 ? "" : "# [allow]\n# " + String.join("\n# ", allow) + "\n";
        Path file = write(name, "# /// metropolis\n# subject = \"t." + name.replace('.', '_') + "\"\n" + grants
                + "# ///\n" + body);
        return TaskScript.load(file).orElseThrow();
    }

    private TaskScript js(String name, String body) throws Exception {
        Path file = write(name, "// /// metropolis\n// subject = \"t." + name.replace('.', '_') + "\"\n// ///\n" + body);
        return TaskScript.load(file).orElseThrow();
    }

    private static String answer(GuestContext context, String body) {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        return new String(context.invoke(new TaskRequest("t.x", null, Map.of(), data), Payload.classify(null, data),
                Duration.ofSeconds(20)).body(), StandardCharsets.UTF_8);
    }

    private String run(TaskScript script, String body) throws Exception {
        try (GuestContext context = contexts.factory(script).call()) {
            return answer(context, body);
        }
    }

    @Nested
    class Python {
        @Test
        void importsAModuleAndAPackageFromTheFolder() throws Exception {
            write("validation.py", "def need(body, key):\n    return body[key]\n");
            write("lib/__init__.py", "");
            write("lib/money.py", "def fmt(cents):\n    return f'{cents / 100:.2f} EUR'\n");
            TaskScript script = py("price.py", "import validation\nfrom lib import money\n"
                    + "def handle(body, msg):\n    return money.fmt(validation.need(body, 'cents'))\n");
            assertThat(run(script, "{\"cents\": 1234}")).isEqualTo("12.34 EUR");
        }

        @Test
        void importsAPurePythonPackageFromSitePackages() throws Exception {
            write("site-packages/tinydate/__init__.py", "from .parse import parse\n");
            write("site-packages/tinydate/parse.py", "def parse(text):\n    y, m, d = text.split('-')\n"
                    + "    return {'year': int(y), 'month': int(m), 'day': int(d)}\n");
            TaskScript script = py("when.py", "import tinydate\ndef handle(body, msg):\n    return tinydate.parse(body)\n");
            assertThat(run(script, "2026-11-27")).isEqualTo("{\"year\":2026,\"month\":11,\"day\":27}");
        }

        @Test
        void aMissingModuleIsALoadErrorNamingTheImportingFileAndLine() throws Exception {
            TaskScript script = py("broken.py", "\nimport nowhere_to_be_found\ndef handle(body, msg):\n    return 1\n");
            assertThatThrownBy(() -> run(script, "{}")).isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("broken.py:5").hasMessageContaining("nowhere_to_be_found")
                    .hasMessageContaining(folder.toString());
        }

        @Test
        void aModuleThatRaisesAtImportIsALoadErrorOfTheImporter() throws Exception {
            write("explodes.py", "raise RuntimeError('no config')\n");
            TaskScript script = py("user.py", "import explodes\ndef handle(body, msg):\n    return 1\n");
            assertThatThrownBy(() -> run(script, "{}")).isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("user.py:4").hasMessageContaining("no config");
        }

        @Test
        void opensGrantedDataFilesOnlyReadOnly() throws Exception {
            write("data/rates.json", "{\"EUR\": 1.0}");
            write("data/secret.txt", "hidden");
            TaskScript script = py("rates.py", "import json\ndef handle(body, msg):\n"
                    + "    if body == 'write':\n        open('data/new.json', 'w')\n"
                    + "    if body == 'other':\n        open('data/secret.txt').read()\n"
                    + "    with open('data/rates.json') as f:\n        return json.load(f)\n",
                    "files = [\"data/*.json\"]");
            try (GuestContext context = contexts.factory(script).call()) {
                assertThat(answer(context, "read")).isEqualTo("{\"EUR\":1.0}");
                assertThatThrownBy(() -> answer(context, "write")).isInstanceOf(TaskError.class)
                        .hasMessageContaining("read-only");
                assertThatThrownBy(() -> answer(context, "other")).isInstanceOf(TaskError.class)
                        .hasMessageContaining("files = [\\\"data/secret.txt\\\"]".replace("\\", ""));
            }
        }

        @Test
        void dataFilesNeedAGrant() throws Exception {
            write("data/rates.json", "{}");
            TaskScript script = py("nogrant.py", "def handle(body, msg):\n    return open('data/rates.json').read()\n");
            try (GuestContext context = contexts.factory(script).call()) {
                assertThatThrownBy(() -> answer(context, "x")).isInstanceOf(TaskError.class)
                        .hasMessageContaining("[allow]").hasMessageContaining("data/rates.json");
            }
        }

        @Test
        void nothingOutsideTheFolderIsVisible(@TempDir Path outside) throws Exception {
            Files.writeString(outside.resolve("leak.py"), "LEAK = 'leaked'\n");
            Files.createSymbolicLink(folder.resolve("leak.py"), outside.resolve("leak.py"));
            Files.createSymbolicLink(folder.resolve("out"), outside);
            TaskScript script = py("escape.py", "import os\ndef handle(body, msg):\n"
                    + "    try:\n        return open(body).read()\n    except OSError as e:\n        return 'refused: ' + str(e)\n");
            try (GuestContext context = contexts.factory(script).call()) {
                assertThat(answer(context, "/etc/passwd")).startsWith("refused").contains("outside the scripts folder");
                assertThat(answer(context, "../" + outside.getFileName() + "/leak.py")).startsWith("refused");
                assertThat(answer(context, "leak.py")).startsWith("refused").contains("symbolic link");
                assertThat(answer(context, "out/leak.py")).startsWith("refused").contains("symbolic link");
            }
            TaskScript importer = py("importer.py", "import leak\ndef handle(body, msg):\n    return leak.LEAK\n");
            assertThatThrownBy(() -> run(importer, "{}")).isInstanceOf(ScriptProblem.class).hasMessageContaining("leak");
        }

        @Test
        void recordsTheFilesAVersionReads() throws Exception {
            Path helper = write("helper.py", "X = 1\n");
            TaskScript script = py("reads.py", "import helper\ndef handle(body, msg):\n    return helper.X\n");
            GuestFactory factory = contexts.factory(script);
            try (GuestContext context = factory.call()) {
                assertThat(answer(context, "{}")).isEqualTo("1");
            }
            assertThat(factory.filesRead()).contains(helper.toRealPath());
        }
    }

    @Nested
    class JavaScript {
        @Test
        void esModulesImportRelativeFiles() throws Exception {
            write("lib/money.mjs", "import { pad } from './pad.mjs';\nexport function fmt(c) { return pad(c / 100) + ' EUR'; }\n");
            write("lib/pad.mjs", "export function pad(n) { return n.toFixed(2); }\n");
            TaskScript script = js("price.mjs", "import { fmt } from './lib/money.mjs';\n"
                    + "export function handle(body) { return fmt(body.cents); }\n");
            assertThat(run(script, "{\"cents\": 250}")).isEqualTo("2.50 EUR");
        }

        @Test
        void classicScriptsRequireRelativeFiles() throws Exception {
            write("lib/money.js", "exports.fmt = function (c) { return (c / 100).toFixed(2) + ' EUR'; };\n");
            TaskScript script = js("price.js", "const money = require('./lib/money.js');\n"
                    + "function handle(body) { return money.fmt(body.cents); }\n");
            assertThat(run(script, "{\"cents\": 99}")).isEqualTo("0.99 EUR");
        }

        @Test
        void bareImportsResolveInNodeModulesForEsmAndCommonJs() throws Exception {
            write("node_modules/tiny-esm/package.json", "{\"name\":\"tiny-esm\",\"type\":\"module\",\"exports\":\"./index.js\"}");
            write("node_modules/tiny-esm/index.js", "export function shout(s) { return s.toUpperCase() + '!'; }\n");
            write("node_modules/tiny-cjs/package.json", "{\"name\":\"tiny-cjs\",\"main\":\"main.js\"}");
            write("node_modules/tiny-cjs/main.js", "module.exports = { twice: (s) => s + s };\n");
            TaskScript esm = js("esm.mjs", "import { shout } from 'tiny-esm';\nexport function handle(body) { return shout(body); }\n");
            TaskScript cjs = js("cjs.js", "const { twice } = require('tiny-cjs');\nfunction handle(body) { return twice(body); }\n");
            assertThat(run(esm, "hi")).isEqualTo("HI!");
            assertThat(run(cjs, "ab")).isEqualTo("abab");
        }

        @Test
        void aPackageNeedingANodeBuiltInFailsNamingThePackageAndModule() throws Exception {
            write("node_modules/needs-fs/package.json", "{\"name\":\"needs-fs\",\"main\":\"index.js\"}");
            write("node_modules/needs-fs/index.js", "const fs = require('fs');\nmodule.exports = {};\n");
            TaskScript script = js("usesfs.js", "const x = require('needs-fs');\nfunction handle(body) { return 1; }\n");
            assertThatThrownBy(() -> run(script, "{}")).isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("needs-fs").hasMessageContaining("'fs'");
        }

        @Test
        void anEsmPackageImportingANodeBuiltInFailsNamingThePackageAndModule() throws Exception {
            write("node_modules/esm-fs/package.json", "{\"name\":\"esm-fs\",\"type\":\"module\",\"main\":\"index.js\"}");
            write("node_modules/esm-fs/index.js", "import { readFileSync } from 'node:fs';\nexport const x = 1;\n");
            TaskScript script = js("esmfs.mjs", "import { x } from 'esm-fs';\nexport function handle(body) { return x; }\n");
            assertThatThrownBy(() -> run(script, "{}")).isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("esm-fs").hasMessageContaining("'fs'");
        }

        @Test
        void importsOutOfTheFolderAreRefused(@TempDir Path outside) throws Exception {
            Files.writeString(outside.resolve("evil.mjs"), "export const x = 1;\n");
            TaskScript script = js("out.mjs", "import { x } from '" + outside.resolve("evil.mjs") + "';\n"
                    + "export function handle(body) { return x; }\n");
            assertThatThrownBy(() -> run(script, "{}")).isInstanceOf(ScriptProblem.class)
                    .hasMessageContaining("outside the scripts folder");
        }
    }
}
