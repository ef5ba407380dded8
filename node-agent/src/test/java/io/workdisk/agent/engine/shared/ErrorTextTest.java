package io.workdisk.agent.engine.shared;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.api.UserMessages;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person reads of an exception: the problem and the path, never a Java type's name. */
class ErrorTextTest {
    @TempDir
    Path tmp;

    @Test
    void fileSystemErrorsSayWhatHappenedToWhichPath() throws Exception {
        Map<Exception, String> said = Map.of(
                new NoSuchFileException("/data/x"), "'/data/x': no such file or directory",
                new AccessDeniedException("/data/.lock"), "'/data/.lock': permission denied",
                new FileAlreadyExistsException("/data/a", "/data/b", null), "'/data/a' and '/data/b': already exists",
                new FileSystemException("/data/a", null, "Read-only file system"), "'/data/a': Read-only file system",
                new UncheckedIOException(new NoSuchFileException("/y")), "'/y': no such file or directory");
        said.forEach((e, text) -> assertThat(ErrorText.of(e)).as("%s", e).isEqualTo(text));
    }

    @Test
    void theTypeNamesThatWrappingPutsInFrontAreCutOut() {
        IOException wrapped = new IOException(new IllegalStateException("tar entry data was 60 bytes, not 8388608"));
        assertThat(wrapped.getMessage()).startsWith("java.lang.IllegalStateException: ");

        assertThat(ErrorText.of(wrapped)).isEqualTo("tar entry data was 60 bytes, not 8388608");
        assertThat(ErrorText.of(new EOFException())).isEqualTo("unexpected end of data");
        assertThat(ErrorText.of(new UnknownHostException("registry.example")))
                .isEqualTo("unknown host registry.example");
        assertThat(ErrorText.of(new IllegalStateException())).isEqualTo("an unexpected error with no message");
    }

    @Test
    void aRealFailureOfTheJdkReadsAsWords() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        IOException e = null;
        try {
            Files.createDirectory(dir);
        } catch (IOException thrown) {
            e = thrown;
        }
        assertThat(ErrorText.of(e)).isEqualTo("'" + dir + "': already exists");
        assertThat(UserMessages.namesJavaType(String.valueOf(e)))
                .as("what toString would have said")
                .isTrue();
    }

    @Test
    void jsonErrorsGiveTheProblemAndWhereNotTheMapper() {
        Exception e = null;
        try {
            new ObjectMapper().readValue("{\"a\": [1, }", Map.class);
        } catch (Exception thrown) {
            e = thrown;
        }
        String text = ErrorText.of(e);
        assertThat(text).contains("line 1, column");
        assertThat(UserMessages.namesJavaType(text)).as(text).isFalse();
    }
}
