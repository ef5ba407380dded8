package io.workdisk.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Timed;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/** Prints results and errors: JSON for scripts, "key: value" lines for people, one line per error. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintStream out;
    private final PrintStream err;

    Output(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void result(String operation, Timed<?> timed, boolean json) {
        ObjectNode node = JSON.createObjectNode();
        node.put("operation", operation);
        node.put("seconds", Math.round(timed.seconds() * 1e6) / 1e6);
        node.setAll((ObjectNode) JSON.valueToTree(timed.result()));
        // warnings are for the person at the terminal too, not only inside the result a script reads
        for (JsonNode warning : node.path("warnings")) {
            err.println("workdisk: warning: " + warning.asText());
        }
        if (json) {
            out.println(node.toPrettyString());
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()
                    || (e.getValue().isContainerNode() && e.getValue().isEmpty())) {
                continue;
            }
            out.println(e.getKey() + ": "
                    + (e.getValue().isTextual()
                            ? e.getValue().asText()
                            : e.getValue().toString()));
        }
    }

    int error(EngineException e, boolean json) {
        err.println("workdisk: " + e.getMessage());
        if (json) {
            ObjectNode node = JSON.createObjectNode();
            node.put("error", e.getMessage());
            node.put("reason", e.problem().name());
            out.println(node.toPrettyString());
        }
        return 1;
    }
}
