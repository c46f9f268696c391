package io.inflight.cli.config;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The reference of every configuration key as a Markdown table, generated from the options themselves
 * ({@code inflight config} prints it; README.md holds a copy a test keeps equal).
 */
public final class ConfigReference {

    private ConfigReference() {
    }

    public static String markdownTable(OptionCatalog catalog) {
        StringBuilder sb = new StringBuilder("| Key | Type | Default | Commands | Environment | Meaning |\n"
                + "|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<OptionSpec>> e : catalog.keys().entrySet()) {
            String key = e.getKey();
            List<OptionSpec> options = e.getValue();
            OptionSpec first = options.get(0);
            String commands = options.stream().map(Configuration::commandOf)
                    .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(", "));
            String def = first.defaultValue() == null ? "" : "`" + first.defaultValue() + "`";
            String description = String.join(" ", first.description())
                    .replace("${DEFAULT-VALUE}", first.defaultValue() == null ? "none" : first.defaultValue());
            if (Configuration.SIDES.contains(key)) {
                description += " In the file also a mapping: `uri`, `password_file`, `sslmode`, `sslrootcert`,"
                        + " `sslcert`, `sslkey`, `connect_timeout`, `application_name`.";
            }
            sb.append("| `").append(key).append("` | ").append(ValueTypes.describe(first).replace("|", "\\|"))
                    .append(" | ").append(def).append(" | ").append(commands).append(" | `")
                    .append(OptionCatalog.variable(key)).append("` | ").append(description.replace("|", "\\|"))
                    .append(" |\n");
        }
        for (String side : List.of("source", "target")) {
            sb.append("| `").append(side).append("-password-file` | string | | all | `")
                    .append(Configuration.passwordFileVariable(side)).append("` | File holding only the ").append(side)
                    .append("'s password (trailing newline ignored); `INFLIGHT_")
                    .append(side.toUpperCase(java.util.Locale.ROOT)).append("_PASSWORD` wins over it. |\n");
        }
        return sb.toString();
    }
}
