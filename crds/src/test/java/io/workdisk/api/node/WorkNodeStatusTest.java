package io.workdisk.api.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkNodeStatusTest {
    @Test
    void freeIsWhatIsLeftForDisksWithinCapacityAndTheFilesystem() {
        assertThat(status(2L << 30, 78L << 30, 1L << 30).free())
                .as("--capacity below the filesystem")
                .isEqualTo("1Gi");
        assertThat(status(250L << 30, 78L << 30, 1L << 30).free())
                .as("the filesystem has less")
                .isEqualTo("78Gi");
        assertThat(status(2L << 30, 78L << 30, 3L << 30).free())
                .as("overcommitted")
                .isEqualTo("0");
        assertThat(status(null, null, null).free()).isNull();
    }

    static WorkNodeStatus status(Long capacity, Long free, Long allocated) {
        return new WorkNodeStatus(
                "/data", capacity, free, allocated, 0, List.of(), "1.0", "2026-11-25T16:27:40Z", List.of());
    }

    @Test
    void writesTheByteCountsAlsoAsQuantitiesAndReadsThemBackFromTheBytes() {
        WorkNodeStatus status = status(252L << 30, (79L << 30) + (1L << 29), 40L << 30);

        String json = Serialization.asJson(status);

        assertThat(json)
                .contains(
                        "\"capacity\":\"252Gi\"",
                        "\"allocated\":\"40Gi\"",
                        "\"free\":\"79.5Gi\"",
                        "\"capacityBytes\":" + (252L << 30));
        assertThat(Serialization.unmarshal(json.replace("\"252Gi\"", "\"stale\""), WorkNodeStatus.class))
                .isEqualTo(status)
                .extracting(WorkNodeStatus::capacity)
                .isEqualTo("252Gi");
    }
}
