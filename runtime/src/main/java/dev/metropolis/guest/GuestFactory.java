package dev.metropolis.guest;

import dev.metropolis.script.ScriptProblem;
import dev.metropolis.script.TaskScript;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Creates the contexts of one script version, all seeing the scripts folder through one file
 * system, which records what the version reads: its imports, packages and data files.
 */
public final class GuestFactory implements Callable<GuestContext> {
    /** Creates one context on the version's file system. */
    interface Creator {
        GuestContext create(ScriptFolderFileSystem files) throws ScriptProblem;
    }

    private final TaskScript script;
    private final Creator creator;
    private volatile ScriptFolderFileSystem files;
    private volatile boolean streams;

    GuestFactory(TaskScript script, Creator creator) {
        this.script = script;
        this.creator = creator;
    }

    @Override
    public GuestContext call() throws ScriptProblem {
        GuestContext context = creator.create(files());
        streams = context.streams();
        return context;
    }

    /** Whether the version's task function is a generator (it streams its reply), as its last context found. */
    public boolean streams() {
        return streams;
    }

    /**
     * The real paths of the files this version's contexts have read so far, the script's own
     * included. After its first context loaded, these are what its edits depend on.
     */
    public Set<Path> filesRead() {
        ScriptFolderFileSystem current = files;
        return current == null ? Set.of() : current.filesRead();
    }

    private ScriptFolderFileSystem files() throws ScriptProblem {
        if (files == null) {
            synchronized (this) {
                if (files == null) {
                    try {
                        files = new ScriptFolderFileSystem(script.file().toAbsolutePath().getParent(),
                                script.header().allow(), script.file().getFileName().toString());
                    } catch (IOException e) {
                        throw new ScriptProblem(script.file(), 0, "cannot open the scripts folder: " + e, e);
                    }
                }
            }
        }
        return files;
    }
}
