package io.workdisk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.api.task.WorkTaskStatus;
import org.junit.jupiter.api.Test;

/**
 * Messages for people never name a Java type, and the factories of conditions and task outcomes hold every
 * message the suite makes to it: this test fails if the suite ever runs without assertions, which would
 * turn that check off everywhere.
 */
class UserMessagesTest {
    @Test
    void javaTypesAreFoundButOrdinaryWordsAndPathsAreNot() {
        assertThat(UserMessages.namesJavaType("cannot build: java.io.IOException: x"))
                .isTrue();
        assertThat(UserMessages.namesJavaType("NoSuchFileException: /x")).isTrue();
        assertThat(UserMessages.namesJavaType("at io.workdisk.agent.engine.DiskEngine"))
                .isTrue();
        assertThat(UserMessages.namesJavaType("'/var/lib/workdisk/rootfs.ext4' has filesystem errors"))
                .isFalse();
        assertThat(UserMessages.namesJavaType("docker.io/library/debian:12 not found"))
                .isFalse();
        assertThat(UserMessages.namesJavaType("Error: e2fsck failed (exit 8)")).isFalse();
        assertThat(UserMessages.namesJavaType(null)).isFalse();
    }

    @Test
    void conditionsAndTaskFailuresRefuseAJavaTypeInTheSuite() {
        assertThatThrownBy(() -> Conditions.of("Ready", false, "IoError", "java.io.IOException: boom", 1L))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> WorkTaskStatus.failed("IO_ERROR", "NoSuchFileException: /x", true, null, null, 1L))
                .isInstanceOf(AssertionError.class);
        assertThat(Conditions.of("Ready", false, "IoError", "'/x': no such file or directory", 1L)
                        .getMessage())
                .isEqualTo("'/x': no such file or directory");
    }
}
