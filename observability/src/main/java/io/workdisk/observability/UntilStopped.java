package io.workdisk.observability;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Keeps a long-running command alive until the process is told to stop, then closes what it started, in order. */
public final class UntilStopped {
    private UntilStopped() {}

    public static void await(AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (AutoCloseable r : List.of(resources)) {
                                try {
                                    r.close();
                                } catch (Exception e) {
                                    System.err.println("workdisk: while stopping: " + e.getMessage());
                                }
                            }
                            stopped.countDown();
                        },
                        "workdisk-shutdown"));
        stopped.await();
    }
}
