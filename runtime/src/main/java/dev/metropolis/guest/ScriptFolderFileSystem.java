package dev.metropolis.guest;

import dev.metropolis.script.Grants;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.io.FileSystem;

/**
 * What a guest sees of the disk: the scripts folder, read-only, and nothing else. Code (Python and
 * JavaScript files, everything under {@code node_modules/} and {@code site-packages/}, and
 * {@code package.json}) is readable by every script so imports resolve; other files only when the
 * script's {@code [allow] files} grants them. A path outside the folder, lexically or through a
 * symbolic link, is refused before anything is read. Every file a script reads is recorded: those
 * are the files whose edits reload it.
 */
final class ScriptFolderFileSystem implements FileSystem {
    /** Where pure-Python packages go ({@code pip install --target site-packages ...}). */
    static final String SITE_PACKAGES = "site-packages";
    static final String NODE_MODULES = "node_modules";
    private static final Set<String> CODE = Set.of(".py", ".js", ".mjs", ".cjs");

    private final Path root;
    private final Path realRoot;
    private final Grants grants;
    private final String script;
    /** Read-only on the host's file system: writes fail even if a check here were wrong. */
    private final FileSystem disk = FileSystem.newReadOnlyFileSystem(FileSystem.newDefaultFileSystem());
    private final Set<Path> read = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<String> denial = new ThreadLocal<>();

    /**
     * @param root   the scripts folder
     * @param grants the script's grants (its data files)
     * @param script the script's file name, for messages
     */
    ScriptFolderFileSystem(Path root, Grants grants, String script) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
        this.grants = grants;
        this.script = script;
    }

    /** The guest's view, with the languages' own homes (GraalPy's standard library) readable as well. */
    static FileSystem forGuest(FileSystem folder) {
        return FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(folder));
    }

    /** The real paths of the files read so far (the script itself, its imports, packages, data). */
    Set<Path> filesRead() {
        return Set.copyOf(read);
    }

    Path root() {
        return root;
    }

    /** Reads a module for the host's own loaders (require()), with the guest's checks, and records it. */
    String readText(Path path) throws IOException {
        Path real = readable(path);
        String text = java.nio.file.Files.readString(real);
        read.add(real);
        return text;
    }

    /** Why this thread's last access was refused (the guest's own error keeps only "permission denied"). */
    String lastDenial() {
        String why = denial.get();
        denial.remove();
        return why;
    }

    private AccessDeniedException denied(String file, String reason) {
        denial.set(file + ": " + reason);
        return new AccessDeniedException(file, null, reason);
    }

    /**
     * The real path of {@code path} if the guest may see it. Outside the folder, it does not exist
     * for the guest (a denial names the folder so the author knows why).
     */
    private Path visible(Path path) throws IOException {
        Path absolute = toAbsolutePath(path).normalize();
        if (!absolute.startsWith(root)) {
            throw denied(absolute.toString(), "outside the scripts folder " + root + "; scripts see only that folder (read-only)");
        }
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(absolute.toString()); // nothing to read or follow
        }
        if (!real.startsWith(realRoot)) {
            throw denied(absolute.toString(), "a symbolic link out of the scripts folder (to " + real + "); links may only point inside it");
        }
        return real;
    }

    /** A file the guest may read: code, or a data file its grants name. */
    private Path readable(Path path) throws IOException {
        Path real = visible(path);
        if (real.toFile().isDirectory() || isCode(realRoot.relativize(real))) {
            return real;
        }
        Path relative = realRoot.relativize(real);
        if (grants.allowsFile(relative)) {
            return real;
        }
        throw denied(relative.toString(), "data files need a grant: add files = [\""
                + relative.toString().replace('\\', '/') + "\"] (or a glob such as \"data/*.json\") to the [allow]"
                + " table of " + script + "'s header");
    }

    private static boolean isCode(Path relative) {
        String first = relative.getNameCount() > 0 ? relative.getName(0).toString() : "";
        String name = relative.getFileName() == null ? "" : relative.getFileName().toString();
        if (first.equals(NODE_MODULES) || first.equals(SITE_PACKAGES) || name.equals("package.json")) {
            return true;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && CODE.contains(name.substring(dot));
    }

    @Override
    public Path parsePath(URI uri) {
        return disk.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return disk.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw denied(path.toString(), "the scripts folder is read-only");
        }
        disk.checkAccess(visible(path), modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw denied(dir.toString(), "the scripts folder is read-only");
    }

    @Override
    public void delete(Path path) throws IOException {
        throw denied(path.toString(), "the scripts folder is read-only");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        for (OpenOption option : options) {
            if (option != StandardOpenOption.READ && option != LinkOption.NOFOLLOW_LINKS) {
                throw denied(path.toString(), "the scripts folder is read-only");
            }
        }
        Path real = readable(path);
        SeekableByteChannel channel = disk.newByteChannel(real, options, attrs);
        read.add(real);
        return channel;
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        Path absolute = toAbsolutePath(dir).normalize();
        visible(absolute);
        return disk.newDirectoryStream(absolute, filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        if (path.isAbsolute()) {
            return path;
        }
        Path inFolder = root.resolve(path); // the folder is the working directory
        return isBareSpecifier(path) && !java.nio.file.Files.exists(inFolder) ? inNodeModules(path).orElse(inFolder) : inFolder;
    }

    /**
     * GraalJS asks for an ES module's bare import ({@code import {x} from "date-fns"}) as a path
     * relative to the working directory; a package in the folder's node_modules answers it.
     */
    private static boolean isBareSpecifier(Path path) {
        String first = path.getNameCount() > 0 ? path.getName(0).toString() : ".";
        return !first.equals(".") && !first.equals("..");
    }

    private java.util.Optional<Path> inNodeModules(Path specifier) {
        return NodePackages.find(root.resolve(NODE_MODULES).resolve(specifier).normalize(), NodePackages.IMPORT)
                .filter(found -> found.startsWith(root.resolve(NODE_MODULES)));
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        Path absolute = toAbsolutePath(path).normalize();
        visible(absolute);
        return disk.toRealPath(absolute, linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return disk.readAttributes(visible(path), attributes, options);
    }

    @Override
    public void setCurrentWorkingDirectory(Path currentWorkingDirectory) {
        throw new UnsupportedOperationException("the working directory is the scripts folder");
    }

    @Override
    public Path getTempDirectory() {
        throw new UnsupportedOperationException("scripts have no temporary directory (the file system is read-only)");
    }
}
