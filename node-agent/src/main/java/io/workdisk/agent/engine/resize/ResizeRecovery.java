package io.workdisk.agent.engine.resize;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls back the resizes a crash interrupted ({@link ResizeJournal#recoverAll}) and keeps what it could
 * not roll back, so it is acted on whoever asked: every step that prepares an output or deletes a disk
 * recovers its directory first, and the agent recovers its data root at start-up; all of them record
 * here, each such disk is logged once when it is first found, and the agent reports the list in its
 * node record (a condition), where an administrator sees which disk to repair. Such a disk does not
 * stop the node from serving its other disks; growing it fails with the same message until it is
 * repaired, and deleting it resolves it.
 */
public final class ResizeRecovery {
    private final E2fsTools tools;
    /** By directory: the last recovery of a directory says all that is left in it. */
    private final Map<Path, List<ResizeJournal.Unrecovered>> left = new ConcurrentHashMap<>();

    public ResizeRecovery(E2fsTools tools) {
        this.tools = tools;
    }

    /** Recovers {@code directory}; returns the disks in it whose interrupted resize could not be rolled back. */
    public List<ResizeJournal.Unrecovered> recover(Path directory) throws EngineException {
        List<ResizeJournal.Unrecovered> found = ResizeJournal.recoverAll(tools, directory);
        List<ResizeJournal.Unrecovered> before = left.getOrDefault(directory, List.of());
        // The logger is fetched only when there is something to say: a CLI step that finds nothing then
        // never starts the logging framework, a good part of its JVM's start-up.
        found.stream()
                .filter(u -> before.stream().noneMatch(b -> b.disk().equals(u.disk())))
                .forEach(u -> log().error("{}", u.message()));
        if (found.isEmpty()) {
            left.remove(directory);
        } else {
            left.put(directory, List.copyOf(found));
        }
        return found;
    }

    private static Logger log() {
        return LoggerFactory.getLogger(ResizeRecovery.class);
    }

    /** {@code disk} is gone: nothing of it is left to repair. */
    public void resolved(Path disk) {
        left.computeIfPresent(disk.getParent(), (dir, list) -> {
            List<ResizeJournal.Unrecovered> rest =
                    list.stream().filter(u -> !u.disk().equals(disk)).toList();
            return rest.isEmpty() ? null : rest;
        });
    }

    /** Every disk whose interrupted resize could not be rolled back, as the last recovery of its directory found. */
    public List<ResizeJournal.Unrecovered> unrecovered() {
        List<ResizeJournal.Unrecovered> all = new ArrayList<>();
        left.values().forEach(all::addAll);
        all.sort((a, b) -> a.disk().compareTo(b.disk()));
        return all;
    }
}
