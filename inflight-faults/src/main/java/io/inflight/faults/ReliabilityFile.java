package io.inflight.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * RELIABILITY.md: sections between {@code <!-- name:begin -->} and {@code <!-- name:end -->} markers, each owned by
 * the command that writes it. A run replaces its own section and keeps everything else, other sections included.
 */
final class ReliabilityFile {

    static final String SECTION = "faults";
    private static final String HEADER = "# Reliability\n\nHow Inflight behaves when things go wrong. Each section "
            + "between `<!-- name:begin -->` and `<!-- name:end -->` markers is written by the command it names.\n";

    private ReliabilityFile() {
    }

    static void update(Path file, String body) {
        try {
            String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
            Files.writeString(file, replaceSection(doc, body), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The document with the fault section replaced by {@code body}, or appended when it has none. */
    static String replaceSection(String document, String body) {
        String begin = "<!-- " + SECTION + ":begin -->";
        String end = "<!-- " + SECTION + ":end -->";
        String section = begin + "\n" + body.strip() + "\n" + end;
        int b = document.indexOf(begin);
        if (b < 0) {
            String base = document.endsWith("\n") ? document : document + "\n";
            return base + "\n" + section + "\n";
        }
        int e = document.indexOf(end, b);
        if (e < 0) {
            throw new IllegalArgumentException("RELIABILITY.md has " + begin + " but no " + end
                    + " after it: put the end marker back where the section ends");
        }
        return document.substring(0, b) + section + document.substring(e + end.length());
    }
}
