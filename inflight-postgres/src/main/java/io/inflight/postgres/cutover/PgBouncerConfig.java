package io.inflight.postgres.cutover;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites one {@code [databases]} entry of a PgBouncer configuration file so that it points at another server,
 * keeping every other key of the entry (user, pool size, ...) and every other line as it is. Pure text; thread-safe.
 */
final class PgBouncerConfig {

    private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^]]+)]\\s*$");

    private PgBouncerConfig() {
    }

    /** The file's text with entry {@code name} set to {@code host}, {@code port} and {@code dbname}. */
    static String repoint(String ini, String name, String host, int port, String dbname) {
        List<String> out = new ArrayList<>();
        String section = "";
        boolean found = false;
        for (String line : ini.split("\n", -1)) {
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                section = s.group(1).strip().toLowerCase(Locale.ROOT);
            } else if (section.equals("databases") && entryName(line).equals(name)) {
                String value = line.substring(line.indexOf('=') + 1);
                value = set(set(set(value, "host", host), "port", Integer.toString(port)), "dbname", dbname);
                line = line.substring(0, line.indexOf('=') + 1) + " " + value.strip();
                found = true;
            }
            out.add(line);
        }
        if (!found) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "PgBouncer's configuration has no entry '"
                    + name + "' in its [databases] section; give the entry the application connects through with"
                    + " --pgbouncer-database");
        }
        return String.join("\n", out);
    }

    /** The entry name a {@code [databases]} line defines, or "" for comments and blank lines. */
    private static String entryName(String line) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith(";") || l.startsWith("#") || l.indexOf('=') < 0) {
            return "";
        }
        String n = l.substring(0, l.indexOf('=')).strip();
        return n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"") ? n.substring(1, n.length() - 1) : n;
    }

    private static String set(String connString, String key, String value) {
        Pattern p = Pattern.compile("(^|\\s)" + key + "\\s*=\\s*('(?:[^'\\\\]|\\\\.)*'|\\S*)");
        Matcher m = p.matcher(connString);
        String quoted = value.matches("[A-Za-z0-9_.:\\-]+") ? value : "'" + value.replace("'", "\\'") + "'";
        if (m.find()) {
            return connString.substring(0, m.start()) + m.group(1) + key + "=" + quoted
                    + connString.substring(m.end());
        }
        return connString.stripTrailing() + " " + key + "=" + quoted;
    }
}
