package io.workdisk.agent.task;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Work waiting for a worker, taken in turns between groups (namespaces) and in arrival order within a
 * group, so one namespace that asks for a thousand disks cannot make another wait for all of them.
 *
 * <p>It also remembers which keys are being worked on and which were finished lately, under the same
 * lock, so an item offered again while it runs, or by a late event after it finished, is not run twice.
 * An item offered again while it still waits replaces the waiting one in its place (it is newer).
 */
final class FairQueue<T> {
    private static final int REMEMBERED = 4096;

    private final Map<String, LinkedHashMap<String, T>> waiting = new HashMap<>();
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private final Set<String> taken = new HashSet<>();
    private final LinkedHashMap<String, Boolean> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private boolean closed;

    /** Queues {@code item} unless its key is being worked on or was finished lately; says whether it did. */
    synchronized boolean offer(String group, String key, T item) {
        if (closed || taken.contains(key) || finished.containsKey(key)) {
            return false;
        }
        LinkedHashMap<String, T> queue = waiting.computeIfAbsent(group, g -> new LinkedHashMap<>());
        queue.put(key, item);
        if (queue.size() == 1) {
            turns.addLast(group);
        }
        notifyAll();
        return true;
    }

    /** The next item, the group whose turn it is first; blocks while there is none; null once closed. */
    synchronized Taken<T> take() throws InterruptedException {
        while (turns.isEmpty() && !closed) {
            wait();
        }
        if (closed) {
            return null;
        }
        String group = turns.pollFirst();
        LinkedHashMap<String, T> queue = waiting.get(group);
        var first = queue.entrySet().iterator();
        Map.Entry<String, T> next = first.next();
        first.remove();
        if (queue.isEmpty()) {
            waiting.remove(group);
        } else {
            turns.addLast(group);
        }
        taken.add(next.getKey());
        return new Taken<>(next.getKey(), next.getValue());
    }

    record Taken<T>(String key, T item) {}

    /** The work on {@code key} ended; {@code remember}: it finished, so later offers of it are ignored. */
    synchronized void done(String key, boolean remember) {
        taken.remove(key);
        if (remember) {
            finished.put(key, Boolean.TRUE);
        }
    }

    /** Items being worked on right now. */
    synchronized int active() {
        return taken.size();
    }

    synchronized int size() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
