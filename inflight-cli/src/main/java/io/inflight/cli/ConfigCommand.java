package io.inflight.cli;

import io.inflight.cli.config.ConfigReference;
import io.inflight.cli.config.OptionCatalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code inflight config}: every configuration key with its type, default, commands and meaning. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Prints every key the YAML configuration file (--config FILE or INFLIGHT_CONFIG) may hold, "
                + "as a Markdown table: type, default, the commands it applies to, the environment variable that "
                + "overrides it, and its meaning. With --config, the file is checked first."})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Override
    public Integer call() {
        CommandSpec root = spec.root();
        spec.commandLine().getOut().print(ConfigReference.markdownTable(OptionCatalog.of(root)));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
