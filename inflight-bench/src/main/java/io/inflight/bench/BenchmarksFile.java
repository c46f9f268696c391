package io.inflight.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BENCHMARKS.md: one section per benchmark, each between {@code <!-- name:begin -->} and
 * {@code <!-- name:end -->}. A run replaces its own section in place and leaves the rest of the
 * file, hand-written text included, as it was.
 */
final class BenchmarksFile {

    static final String HEADER = """
            # Benchmarks

            Each section below is written by one `./bench` command, which replaces it in place between its
            `<!-- name:begin -->` and `<!-- name:end -->` markers. Text outside the markers is kept.
            """;

    private BenchmarksFile() {
    }

    /** Writes {@code body} as section {@code name} of the file, creating the file if needed. */
    static void update(Path file, String name, String body) {
        try {
            String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
            Files.writeString(file, replaceSection(doc, name, body), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The document with section {@code name} replaced by {@code body}, or, when the document has no
     * such section yet, with the section appended at its end.
     */
    static String replaceSection(String document, String name, String body) {
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        String section = begin + "\n" + body.strip() + "\n" + end;
        int b = document.indexOf(begin);
        if (b < 0) {
            String base = document.isEmpty() || document.endsWith("\n") ? document : document + "\n";
            return base + "\n" + section + "\n";
        }
        int e = document.indexOf(end, b);
        if (e < 0) {
            // Appending would leave the lone marker to swallow text on the next run.
            throw new IllegalArgumentException("BENCHMARKS.md has " + begin + " but no " + end
                    + " after it: put the end marker back where the section ends");
        }
        return document.substring(0, b) + section + document.substring(e + end.length());
    }
}
