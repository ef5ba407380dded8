package io.workdisk.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogFormatTest {
    static String logged(String format, String message) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogFormat.use(format);
            LoggerFactory.getLogger("workdisk.test").warn("hello {}", message);
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textForPeopleAndJsonForPipelines() {
        assertThat(logged("json", "json"))
                .startsWith("{")
                .contains("\"level\":\"WARN\"")
                .contains("\"formattedMessage\":\"hello json\"");
        String text = logged("text", "text");
        assertThat(text).doesNotStartWith("{").contains("WARN").contains("hello text");
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> LogFormat.use("xml")).hasMessageContaining("text or json");
    }
}
