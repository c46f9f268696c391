package io.inflight.cli.config;

import io.inflight.cli.Environment;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration file, checked against the options the commands have and reduced to option texts.
 *
 * <p>Layout: top-level keys are option names ({@code jobs: 8}, {@code exclude-schemas: [tmp]}) and apply
 * to every command that has the option; a section named after a command ({@code clone: {jobs: 4}}) applies
 * to that command only and wins over the top level. {@code source} and {@code target} take a URI, or a
 * mapping with {@code uri}, {@code password_file} and the TLS settings ({@code sslmode}, {@code sslrootcert},
 * {@code sslcert}, {@code sslkey}), which become the URI's query. Underscores and dashes in keys are the same.
 *
 * <p>Refused, naming the key and the file: unknown keys, values of the wrong type, and any password:
 * a password comes from a file named by {@code password_file}, the environment or {@code ~/.pgpass}.
 * Immutable.
 */
public final class Configuration {

    /** Where the password file for a side is handed to {@code Passwords}, as if from the environment. */
    public static String passwordFileVariable(String side) {
        return "INFLIGHT_" + side.toUpperCase(Locale.ROOT) + "_PASSWORD_FILE";
    }

    static final Set<String> SIDES = Set.of("source", "target");
    /** Keys of a {@code source:} / {@code target:} mapping that become URI query parameters. */
    static final Set<String> ENDPOINT_PARAMETERS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey",
            "connect-timeout", "application-name");

    private final Path file;
    private final Map<String, String> global;
    private final Map<String, Map<String, String>> sections;
    private final Map<String, String> variables;

    private Configuration(Path file, Map<String, String> global, Map<String, Map<String, String>> sections,
                          Map<String, String> variables) {
        this.file = file;
        this.global = Map.copyOf(global);
        this.sections = Map.copyOf(sections);
        this.variables = Map.copyOf(variables);
    }

    public static Configuration none() {
        return new Configuration(null, Map.of(), Map.of(), Map.of());
    }

    /** Reads and checks {@code file} against the options in {@code catalog}. */
    public static Configuration load(Path file, OptionCatalog catalog) {
        Map<String, Object> raw = ConfigFile.read(file);
        Map<String, String> global = new LinkedHashMap<>();
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = OptionCatalog.normalize(e.getKey());
            Object value = e.getValue();
            refusePassword(file, e.getKey(), key);
            if (key.endsWith("-password-file") && SIDES.contains(key.substring(0, key.indexOf('-')))) {
                variables.put(passwordFileVariable(key.substring(0, key.indexOf('-'))), path(file, e.getKey(), value));
            } else if (SIDES.contains(key) && value instanceof Map<?, ?> endpoint) {
                global.put(key, endpointUri(file, key, endpoint, variables));
            } else if (catalog.commands().containsKey(key) && value instanceof Map<?, ?> section) {
                Map<String, String> values = new LinkedHashMap<>();
                for (Map.Entry<?, ?> s : section.entrySet()) {
                    String name = key + "." + s.getKey();
                    String sub = OptionCatalog.normalize(String.valueOf(s.getKey()));
                    refusePassword(file, name, sub);
                    List<OptionSpec> options = catalog.options(sub).stream()
                            .filter(o -> o.command() != null && commandOf(o).equals(key)).toList();
                    if (options.isEmpty()) {
                        throw unknown(file, name, "command '" + key + "' has no option --" + sub);
                    }
                    Object v = SIDES.contains(sub) && s.getValue() instanceof Map<?, ?> m
                            ? endpointUri(file, name, m, variables) : s.getValue();
                    values.put(sub, convert(file, name, options, v));
                }
                sections.put(key, values);
            } else {
                List<OptionSpec> options = catalog.options(key);
                if (options.isEmpty()) {
                    throw unknown(file, e.getKey(), "known keys are " + String.join(", ", knownKeys(catalog)));
                }
                global.put(key, convert(file, e.getKey(), options, value));
            }
        }
        return new Configuration(file, global, sections, variables);
    }

    /** The file this came from; null when there is none. */
    public Path file() {
        return file;
    }

    /** The option text for {@code key} in {@code command}: its section first, then the top level; or null. */
    public String value(String command, String key) {
        Map<String, String> section = sections.get(command);
        if (section != null && section.containsKey(key)) {
            return section.get(key);
        }
        return global.get(key);
    }

    /** The environment commands see: the real one, falling back to what the file provides (password files). */
    public Environment overlay(Environment real) {
        return name -> {
            String v = real.get(name);
            return v != null ? v : variables.get(name);
        };
    }

    static String commandOf(OptionSpec o) {
        return o.command().name();
    }

    static List<String> knownKeys(OptionCatalog catalog) {
        List<String> keys = new java.util.ArrayList<>(catalog.keys().keySet());
        keys.add("source-password-file");
        keys.add("target-password-file");
        catalog.commands().forEach((name, spec) -> {
            if (spec.options().stream().anyMatch(o -> OptionCatalog.key(o) != null)) {
                keys.add(name + ": {...}");
            }
        });
        return keys.stream().sorted().toList();
    }

    private static String convert(Path file, String name, List<OptionSpec> options, Object value) {
        for (OptionSpec o : options) {
            String problem = ValueTypes.problem(o, value);
            if (problem != null) {
                throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "key '" + name + "' in " + file + " "
                        + problem + " (" + ValueTypes.describe(o) + ", as --" + OptionCatalog.key(o) + " of "
                        + commandOf(o) + ")");
            }
        }
        return ValueTypes.text(options.get(0), value);
    }

    private static String endpointUri(Path file, String side, Map<?, ?> endpoint, Map<String, String> variables) {
        String uri = null;
        StringBuilder query = new StringBuilder();
        String sideWord = side.contains(".") ? side.substring(side.lastIndexOf('.') + 1) : side;
        for (Map.Entry<?, ?> e : endpoint.entrySet()) {
            String name = side + "." + e.getKey();
            String key = OptionCatalog.normalize(String.valueOf(e.getKey()));
            refusePassword(file, name, key);
            Object v = e.getValue();
            if (key.equals("uri")) {
                uri = scalar(file, name, v);
            } else if (key.equals("password-file")) {
                variables.put(passwordFileVariable(sideWord), path(file, name, v));
            } else if (ENDPOINT_PARAMETERS.contains(key)) {
                query.append(query.length() == 0 ? "" : "&").append(key.replace('-', '_')).append('=')
                        .append(URLEncoder.encode(scalar(file, name, v), StandardCharsets.UTF_8));
            } else {
                throw unknown(file, name, "a " + side + " mapping takes uri, password_file, "
                        + String.join(", ", ENDPOINT_PARAMETERS.stream().sorted().map(k -> k.replace('-', '_'))
                        .toList()));
            }
        }
        if (uri == null) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "key '" + side + "' in " + file
                    + " has no uri: write " + side + ": {uri: postgresql://user@host:port/database, ...}");
        }
        if (query.length() == 0) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + query;
    }

    private static String path(Path file, String name, Object v) {
        return scalar(file, name, v);
    }

    private static String scalar(Path file, String name, Object v) {
        if (v == null || v instanceof Map || v instanceof List || v instanceof Boolean) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "key '" + name + "' in " + file
                    + " must be a string, not a " + ConfigFile.kind(v));
        }
        return String.valueOf(v);
    }

    private static void refusePassword(Path file, String name, String key) {
        if (key.contains("password") && !key.endsWith("password-file")) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "key '" + name + "' in " + file
                    + ": passwords are never read from the configuration file. Put the password in a file of its own"
                    + " and name it with source.password_file / target.password_file, or set"
                    + " INFLIGHT_SOURCE_PASSWORD / INFLIGHT_TARGET_PASSWORD, or use ~/.pgpass");
        }
    }

    private static InflightException unknown(Path file, String name, String known) {
        return new InflightException(ErrorCode.INVALID_CONFIGURATION, "unknown key '" + name + "' in " + file
                + "; " + known);
    }
}
