package io.inflight.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./faults [--rounds N] [--seed S] [--kinds K1,K2] [--output FILE]}: runs the fault suite against the built
 * {@code inflight} jar and writes its section of RELIABILITY.md (or of FILE). Exits 0 when every round passed, 1
 * otherwise, 2 on a bad option.
 */
public final class FaultMain {

    private FaultMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 60;
        long seed = System.nanoTime();
        Path reportFile = Paths.get("RELIABILITY.md");
        Set<Fault> kinds = Set.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--report", "--output" -> reportFile = Paths.get(value(args, ++i));
                case "--kinds" -> kinds = kinds(value(args, ++i));
                case "--help", "-h" -> {
                    System.out.println("usage: ./faults [--rounds N (60)] [--seed S] [--kinds KIND,... (all)]"
                            + " [--output FILE (RELIABILITY.md)]\nkinds: " + Arrays.stream(Fault.values())
                            .map(Enum::name).collect(Collectors.joining(", ")));
                    return;
                }
                default -> {
                    System.err.println("faults: unknown option " + args[i] + " (see --help)");
                    System.exit(2);
                }
            }
        }
        Path jar = Paths.get("inflight-cli", "target", "inflight.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            System.err.println("faults: " + jar + " does not exist; build it with mvn -q -B -DskipTests package");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("inflight-faults-");
        Settings settings = new Settings(rounds, seed, 5000, 300_000, 100_000, 2, work, kinds);
        System.err.println("fault suite: " + rounds + " rounds, seed " + seed
                + (kinds.isEmpty() ? "" : ", kinds " + kinds) + ", logs in " + work);
        SuiteResult result = new FaultSuite(settings, jar).run();
        String md = Report.markdown(result, "./faults --rounds " + rounds + " --seed " + seed + (kinds.isEmpty() ? ""
                : " --kinds " + kinds.stream().map(Enum::name).sorted().collect(Collectors.joining(","))));
        ReliabilityFile.update(reportFile, md);
        System.out.println(md);
        System.exit(result.passed() ? 0 : 1);
    }

    /** "KILL_IN_CUTOVER,KILL_IN_COPY" (any case) to the kinds; exits 2 naming an unknown one. */
    static Set<Fault> kinds(String list) {
        Set<Fault> out = EnumSet.noneOf(Fault.class);
        for (String name : list.split(",")) {
            String n = name.strip().toUpperCase(Locale.ROOT);
            if (n.isEmpty()) {
                continue;
            }
            try {
                out.add(Fault.valueOf(n));
            } catch (IllegalArgumentException e) {
                System.err.println("faults: unknown kind " + name + " (see --help)");
                System.exit(2);
            }
        }
        return out;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("faults: " + args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
