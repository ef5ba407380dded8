package io.workdisk.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The types a package's main sources import, for the tests that keep one part of the agent free of another. */
public final class SourceImports {
    private SourceImports() {}

    /** The imports of the Java files in {@code dir} itself, its subpackages left out. */
    public static List<String> directlyIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return of(files);
        }
    }

    /** The imports of the Java files in {@code dir} and every package below it. */
    public static List<String> below(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return of(files);
        }
    }

    private static List<String> of(Stream<Path> files) {
        return files.filter(f -> f.toString().endsWith(".java"))
                .flatMap(SourceImports::imports)
                .toList();
    }

    private static Stream<String> imports(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith("import "))
                    .map(l -> l.replaceFirst("^import (static )?", "")
                            .replace(";", "")
                            .strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
