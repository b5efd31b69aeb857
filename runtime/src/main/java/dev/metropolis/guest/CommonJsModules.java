package dev.metropolis.guest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * The host half of {@code require()} (require.js): resolves a specifier as Node does (relative
 * files, then {@code node_modules} folders up to the scripts folder, {@code package.json}
 * {@code exports}/{@code main}, {@code index.js}), reads the module through the script's folder
 * file system and compiles it as a cached source, so every context on an engine shares its code.
 */
final class CommonJsModules {
    /** Node's built-in modules: none exist in the sandbox. */
    private static final Set<String> NODE_BUILT_INS = Set.of("assert", "async_hooks", "buffer", "child_process",
            "cluster", "console", "crypto", "dgram", "dns", "events", "fs", "fs/promises", "http", "http2", "https",
            "inspector", "module", "net", "os", "path", "perf_hooks", "process", "querystring", "readline", "repl",
            "stream", "string_decoder", "timers", "tls", "tty", "url", "util", "v8", "vm", "worker_threads", "zlib");
    private static final Pattern PACKAGE_OF = Pattern.compile(".*/node_modules/((?:@[^/]+/)?[^/]+)/.*");

    private final ScriptFolderFileSystem files;

    CommonJsModules(ScriptFolderFileSystem files) {
        this.files = files;
    }

    /** load(specifier, fromFile): [0, realPath, wrapper function] or [1, message]. */
    ProxyExecutable loader() {
        return args -> {
            String specifier = args[0].asString();
            Path from = Path.of(args[1].asString());
            try {
                Path file = resolve(specifier, from);
                return ProxyArray.fromArray(0, file.toString(), compile(file));
            } catch (IOException | IllegalArgumentException e) {
                return ProxyArray.fromArray(1, message(e));
            }
        };
    }

    private static String message(Exception e) {
        return e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                ? fs.getFile() + ": " + fs.getReason()
                : e.getMessage();
    }

    static boolean isNodeBuiltIn(String name) {
        return NODE_BUILT_INS.contains(name);
    }

    /** Who needs which Node built-in: the package (from the importing file's path) or the script itself. */
    static String builtInMessage(String module, Path importer, Path root) {
        Matcher pkg = PACKAGE_OF.matcher(importer.toString());
        String who = pkg.matches() ? "the package '" + pkg.group(1) + "' (" + root.relativize(importer) + ")"
                : importer.getFileName().toString();
        return who + " needs the Node built-in module '" + module
                + "', which the sandbox does not provide (no fs, net, child_process, ...); use a package that does not need it";
    }

    Path resolve(String specifier, Path from) throws IOException {
        String name = specifier.startsWith("node:") ? specifier.substring(5) : specifier;
        if (NODE_BUILT_INS.contains(name)) {
            throw new IllegalArgumentException(builtInMessage(name, from, files.root()));
        }
        Path dir = from.getParent();
        if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/")) {
            Path base = dir.resolve(specifier).normalize();
            return NodePackages.find(base, NodePackages.REQUIRE)
                    .orElseThrow(() -> new IllegalArgumentException("cannot find module '" + specifier + "' required by "
                            + from + " (looked for " + base + ", with .js, .cjs, .json and as a folder)"));
        }
        List<Path> searched = new ArrayList<>();
        for (Path at = dir; at != null && at.startsWith(files.root()); at = at.getParent()) {
            Path base = at.resolve(ScriptFolderFileSystem.NODE_MODULES).resolve(specifier);
            searched.add(at.resolve(ScriptFolderFileSystem.NODE_MODULES));
            Optional<Path> found = NodePackages.find(base, NodePackages.REQUIRE);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalArgumentException("cannot find module '" + specifier + "' required by " + from + " (searched "
                + searched + "); run npm install " + specifier.split("/")[0] + " in the scripts folder");
    }

    /** The module wrapped as Node wraps it, compiled as a source the engine caches by content and path. */
    private Value compile(Path file) throws IOException {
        String text = files.readText(file);
        String body = file.toString().endsWith(".json") ? "module.exports = " + text + ";" : text;
        Source source = Source.newBuilder("js", "(function (exports, require, module, __filename, __dirname) {"
                + body + "\n})", file.toString()).buildLiteral();
        return Context.getCurrent().eval(source);
    }
}
