package io.workdisk.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The real API server's audit log, one JSON event per line: who asked for what and what the server
 * answered. Read from a mark, so a test sees only the requests made since it started.
 */
final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    /**
     * One answered request. {@code resource} includes the subresource ({@code worktasks/status}); {@code at} is
     * when the server answered it (the event's stage time).
     */
    record Entry(
            String user,
            String userAgent,
            String verb,
            String group,
            String resource,
            String namespace,
            String name,
            int code,
            String uri,
            Instant at) {
        boolean forbidden() {
            return code == 403;
        }

        /** The program that asked: the User-Agent's first word ({@code kube-scheduler/v1.32.13 (…)}). */
        String client() {
            return userAgent.split("/")[0];
        }

        /** A write: anything but get, list and watch. */
        boolean write() {
            return !(verb.equals("get") || verb.equals("list") || verb.equals("watch"));
        }
    }

    /**
     * The {@code entries} per one of {@code items} (disks, volumes), by client, verb and resource
     * ({@code "workdisk-operator update workdisks/status" -> 2.0}), sorted.
     */
    static Map<String, Double> perItem(Stream<Entry> entries, int items) {
        Map<String, Double> out = new TreeMap<>();
        entries.forEach(e -> out.merge(e.client() + " " + e.verb() + " " + e.resource(), 1.0 / items, Double::sum));
        return out;
    }

    /** Where the log ends now: {@link #since} returns what is written after it. */
    long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every request completed since {@code mark} (a watch counts once, when it started). */
    List<Entry> since(long mark) {
        List<Entry> out = new ArrayList<>();
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(mark);
            byte[] rest = new byte[(int) (in.length() - mark)];
            in.readFully(rest);
            String text = new String(rest, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n'); // a line still being written is read next time
            for (String line : text.substring(0, end + 1).split("\n")) {
                if (!line.isBlank()) {
                    entry(JSON.readTree(line), out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void entry(JsonNode e, List<Entry> out) {
        String stage = e.path("stage").asText();
        String verb = e.path("verb").asText();
        int code = e.path("responseStatus").path("code").asInt();
        // a watch is logged when it starts and again when it ends; one refused never started
        boolean counted = verb.equals("watch")
                ? stage.equals("ResponseStarted") || (stage.equals("ResponseComplete") && code >= 300)
                : stage.equals("ResponseComplete") || stage.equals("Panic");
        if (!counted) {
            return;
        }
        JsonNode ref = e.path("objectRef");
        String resource = ref.path("resource").asText("");
        if (ref.hasNonNull("subresource")) {
            resource += "/" + ref.path("subresource").asText();
        }
        out.add(new Entry(
                e.path("user").path("username").asText(),
                e.path("userAgent").asText(""),
                verb,
                ref.path("apiGroup").asText(""),
                resource,
                ref.path("namespace").asText(""),
                ref.path("name").asText(""),
                code,
                e.path("requestURI").asText(),
                Instant.parse(e.path("stageTimestamp").asText(Instant.EPOCH.toString()))));
    }
}
