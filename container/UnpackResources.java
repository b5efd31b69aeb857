import java.nio.file.Path;
import org.graalvm.polyglot.Engine;

/**
 * Image build step: unpacks the polyglot languages' internal resources (the Python standard
 * library, libtruffleattach, NFI) into a folder that the image passes to the JVM as
 * {@code -Dpolyglot.engine.resourcePath}. Without it, every container start would unpack them
 * (~25 MB) into {@code ~/.cache/org.graalvm.polyglot}, which needs a writable home directory.
 */
public final class UnpackResources {
    private UnpackResources() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: UnpackResources TARGET_DIR");
        }
        if (!Engine.copyResources(Path.of(args[0]))) {
            throw new IllegalStateException("no polyglot resources found to unpack: is the polyglot classpath complete?");
        }
    }
}
