package io.workdisk.demo;

import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Watch handlers for tests that record what the API saw happen, e.g. every task ever created. */
final class Watchers {
    private Watchers() {}

    /** Called for each object created. */
    static <T> Watcher<T> added(Consumer<T> onAdded) {
        return of((action, t) -> {
            if (action == Watcher.Action.ADDED) {
                onAdded.accept(t);
            }
        });
    }

    /** Called for each object on every change, creation and deletion included. */
    static <T> Watcher<T> anyChange(Consumer<T> onChange) {
        return of((action, t) -> onChange.accept(t));
    }

    private static <T> Watcher<T> of(BiConsumer<Watcher.Action, T> handler) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                handler.accept(action, resource);
            }

            @Override
            public void onClose(WatcherException cause) {
                // a test's watch ends with the test
            }
        };
    }
}
