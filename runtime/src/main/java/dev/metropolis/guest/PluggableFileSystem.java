package dev.metropolis.guest;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * A spare context's view of the disk, fixed when the context is built but chosen later: until a
 * script claims the context it is the scripts folder as no script sees it (code only, no grants);
 * then it is the claiming script's own {@link ScriptFolderFileSystem}, which checks its grants and
 * records what it reads.
 */
final class PluggableFileSystem implements FileSystem {
    private volatile FileSystem target;

    PluggableFileSystem(FileSystem initial) {
        this.target = Objects.requireNonNull(initial, "initial");
    }

    /** From now on, every access goes to {@code files}. */
    void plug(FileSystem files) {
        this.target = Objects.requireNonNull(files, "files");
    }

    @Override
    public Path parsePath(URI uri) {
        return target.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return target.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        target.checkAccess(path, modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        target.createDirectory(dir, attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        target.delete(path);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return target.newByteChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        return target.newDirectoryStream(dir, filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return target.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        return target.toRealPath(path, linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return target.readAttributes(path, attributes, options);
    }

    @Override
    public void setCurrentWorkingDirectory(Path currentWorkingDirectory) {
        target.setCurrentWorkingDirectory(currentWorkingDirectory);
    }

    @Override
    public Path getTempDirectory() {
        return target.getTempDirectory();
    }
}
