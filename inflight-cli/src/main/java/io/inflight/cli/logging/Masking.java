package io.inflight.cli.logging;

import java.util.regex.Pattern;

/**
 * The safety net under every line Inflight prints: whatever looks like a password is replaced by
 * {@code ******}, whether a {@code password=...} / {@code PGPASSWORD: ...} pair or the password part of
 * a {@code scheme://user:password@host} URI. Secrets should never reach a message in the first
 * place; this catches the ones that slip through a driver's or a library's text.
 */
public final class Masking {

    public static final String MASK = "******";

    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret)[a-z_]*[\"']?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&,;'\")]+)");
    private static final Pattern URI_USERINFO = Pattern.compile("(://[^/\\s:@]*):([^@\\s/]*)@");

    private Masking() {
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = KEY_VALUE.matcher(text).replaceAll("$1" + MASK);
        return URI_USERINFO.matcher(out).replaceAll("$1:" + MASK + "@");
    }
}
