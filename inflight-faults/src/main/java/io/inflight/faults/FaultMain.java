package io.inflight.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code ./faults [--rounds N] [--seed S]}: runs the fault suite against the built {@code inflight} jar and writes
 * its section of RELIABILITY.md. Exits 0 when every round passed, 1 otherwise, 2 on a bad option.
 */
public final class FaultMain {

    private FaultMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 60;
        long seed = System.nanoTime();
        Path reportFile = Paths.get("RELIABILITY.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--report" -> reportFile = Paths.get(value(args, ++i));
                case "--help", "-h" -> {
                    System.out.println("usage: ./faults [--rounds N (60)] [--seed S] [--report FILE (RELIABILITY.md)]");
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
        Settings settings = new Settings(rounds, seed, 5000, 300_000, 100_000, 2, work);
        System.err.println("fault suite: " + rounds + " rounds, seed " + seed + ", logs in " + work);
        SuiteResult result = new FaultSuite(settings, jar).run();
        String md = Report.markdown(result, "./faults --rounds " + rounds + " --seed " + seed);
        ReliabilityFile.update(reportFile, md);
        System.out.println(md);
        System.exit(result.passed() ? 0 : 1);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("faults: " + args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
