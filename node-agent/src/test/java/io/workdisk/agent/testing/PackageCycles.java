package io.workdisk.agent.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The package cycles among a module's compiled classes, as the JDK's jdeps sees them (every reference in
 * the bytecode, so a fully qualified name written inline counts as much as an import): each cycle is a
 * set of packages that all reach each other, found with Tarjan's strongly connected components.
 */
public final class PackageCycles {
    /** jdeps -verbose:package writes one line per dependency: {@code   from   -> to   where}. */
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s+.*$");

    private final Map<String, Set<String>> edges;

    private PackageCycles(Map<String, Set<String>> edges) {
        this.edges = edges;
    }

    /** The dependencies between the {@code io.workdisk} packages of the classes directory or jar holding {@code type}. */
    public static PackageCycles ofModuleOf(Class<?> type) {
        try {
            return of(Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dependencies between the {@code io.workdisk} packages of a classes directory or jar. */
    public static PackageCycles of(Path classes) {
        Optional<ToolProvider> jdeps = ToolProvider.findFirst("jdeps");
        Requirements.need(jdeps.isPresent(), "the JDK's jdeps (a JDK, not only a JRE)");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = jdeps.orElseThrow()
                .run(
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "-verbose:package",
                        "-filter:package",
                        "-e",
                        "io\\.workdisk\\..*",
                        classes.toString());
        if (exit != 0) {
            throw new IllegalStateException("jdeps " + classes + " exited " + exit + ": " + err);
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches() && m.group(1).startsWith("io.workdisk")) {
                edges.computeIfAbsent(m.group(1), p -> new TreeSet<>()).add(m.group(2));
            }
        }
        return new PackageCycles(edges);
    }

    /** How many packages depend on another package of ours: a reading that found nothing is no proof. */
    public int dependingPackages() {
        return edges.size();
    }

    /** Each cycle as its packages, sorted; empty when the packages form a hierarchy. */
    public List<Set<String>> cycles() {
        return new Tarjan().run();
    }

    /** Tarjan's algorithm: one depth-first walk; a component of more than one package is a cycle. */
    private final class Tarjan {
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> cycles = new ArrayList<>();

        List<Set<String>> run() {
            edges.keySet().stream().filter(p -> !index.containsKey(p)).forEach(this::visit);
            return cycles;
        }

        private void visit(String p) {
            index.put(p, index.size());
            low.put(p, index.get(p));
            stack.push(p);
            onStack.add(p);
            for (String q : edges.getOrDefault(p, Set.of())) {
                if (!index.containsKey(q)) {
                    visit(q);
                    low.put(p, Math.min(low.get(p), low.get(q)));
                } else if (onStack.contains(q)) {
                    low.put(p, Math.min(low.get(p), index.get(q)));
                }
            }
            if (low.get(p).equals(index.get(p))) {
                Set<String> component = new TreeSet<>();
                String q;
                do {
                    q = stack.pop();
                    onStack.remove(q);
                    component.add(q);
                } while (!q.equals(p));
                if (component.size() > 1) {
                    cycles.add(component);
                }
            }
        }
    }
}
