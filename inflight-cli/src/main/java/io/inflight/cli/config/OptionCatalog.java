package io.inflight.cli.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration keys there are: every long option of every command, found by walking the command
 * tree, so commands added later are configurable without touching this package. A key is the option's
 * long name without its dashes ({@code --exclude-schemas} is {@code exclude-schemas}); options that only
 * make sense on a command line (help, version, verbosity, the config file itself) are not keys.
 */
public final class OptionCatalog {

    /** Option names that are never configuration keys. */
    static final Set<String> NOT_KEYS = Set.of("help", "version", "verbose", "quiet", "config");

    private final Map<String, List<OptionSpec>> byKey = new TreeMap<>();
    private final Map<String, CommandSpec> commands = new TreeMap<>();

    private OptionCatalog() {
    }

    public static OptionCatalog of(CommandSpec root) {
        OptionCatalog c = new OptionCatalog();
        c.walk(root);
        return c;
    }

    private void walk(CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            String key = key(o);
            if (key != null) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
            }
        }
        spec.subcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                commands.putIfAbsent(name, sub.getCommandSpec());
                walk(sub.getCommandSpec());
            }
        });
    }

    /** The key of an option, or null when it is not configurable. */
    public static String key(OptionSpec o) {
        String longest = o.longestName();
        if (!longest.startsWith("--") || o.usageHelp() || o.versionHelp()) {
            return null;
        }
        String key = longest.substring(2);
        return NOT_KEYS.contains(key) ? null : key;
    }

    /** A key as a user may write it ({@code exclude_schemas}, {@code Jobs}) in the catalog's form. */
    public static String normalize(String key) {
        return key.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The environment variable that overrides a key: {@code INFLIGHT_EXCLUDE_SCHEMAS}. */
    public static String variable(String key) {
        return "INFLIGHT_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public Map<String, List<OptionSpec>> keys() {
        return Collections.unmodifiableMap(byKey);
    }

    public List<OptionSpec> options(String key) {
        return byKey.getOrDefault(key, List.of());
    }

    /** Commands by name (for per-command sections). */
    public Map<String, CommandSpec> commands() {
        return Collections.unmodifiableMap(commands);
    }
}
