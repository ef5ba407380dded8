package io.workdisk.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueueTest {
    final FairQueue<String> queue = new FairQueue<>();

    List<String> drain() throws InterruptedException {
        List<String> order = new ArrayList<>();
        while (queue.size() > 0) {
            FairQueue.Taken<String> t = queue.take();
            order.add(t.item());
            queue.done(t.key(), true);
        }
        return order;
    }

    @Test
    void namespacesTakeTurnsAndKeepTheirOwnOrder() throws Exception {
        for (int i = 0; i < 5; i++) {
            queue.offer("flood", "f" + i, "flood-" + i);
        }
        queue.offer("small", "s0", "small-0");
        queue.offer("small", "s1", "small-1");
        queue.offer("third", "t0", "third-0");

        assertThat(drain())
                .containsExactly(
                        "flood-0", "small-0", "third-0", "flood-1", "small-1", "flood-2", "flood-3", "flood-4");
    }

    @Test
    void aKeyWaitingIsReplacedInPlaceAndOneTakenOrFinishedIsNotQueuedAgain() throws Exception {
        assertThat(queue.offer("a", "k1", "v1")).isTrue();
        assertThat(queue.offer("a", "k2", "v2")).isTrue();
        assertThat(queue.offer("a", "k1", "v1-newer")).isTrue();
        FairQueue.Taken<String> first = queue.take();
        assertThat(first.item()).isEqualTo("v1-newer");
        assertThat(queue.offer("a", "k1", "v1-again")).as("being worked on").isFalse();
        queue.done("k1", true);
        assertThat(queue.offer("a", "k1", "v1-late-event"))
                .as("finished lately")
                .isFalse();
        assertThat(queue.active()).isZero();

        FairQueue.Taken<String> second = queue.take();
        queue.done(second.key(), false);
        assertThat(queue.offer("a", "k2", "v2-retry"))
                .as("not finished: may be tried again")
                .isTrue();
        assertThat(drain()).containsExactly("v2-retry");
    }

    @Test
    void closingReleasesAWaitingWorker() throws Exception {
        Thread closer = new Thread(queue::close);
        closer.start();
        assertThat(queue.take()).isNull();
        closer.join();
    }
}
