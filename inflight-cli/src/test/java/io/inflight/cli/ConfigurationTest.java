package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML configuration, in-process and without a server: the endpoints point at a closed port, so
 * {@code inflight check} reports a connection blocker naming whichever source won, flag over variable over file.
 */
class ConfigurationTest {

    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path f = dir.resolve("inflight.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static String closed(String user) {
        return "postgresql://" + user + "@127.0.0.1:1/db";
    }

    @Test
    void flagsOverrideVariablesWhichOverrideTheFile() throws IOException {
        Path f = config("source: " + closed("fromfile") + "\ntarget: " + closed("target") + "\n");

        MainTest.Run fileOnly = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(fileOnly.out()).contains("source fromfile@127.0.0.1:1/db");
        assertThat(fileOnly.code()).isEqualTo(ErrorCode.CONNECTION_FAILED.exitCode());
        assertThat(fileOnly.out()).contains("NOT READY: 2 blocker(s)");

        Map<String, String> env = Map.of("INFLIGHT_CONFIG", f.toString(), "INFLIGHT_SOURCE", closed("fromenv"));
        assertThat(MainTest.run(env, "check").out()).contains("source fromenv@127.0.0.1:1/db");
        assertThat(MainTest.run(env, "check", "--source", closed("fromflag")).out())
                .contains("source fromflag@127.0.0.1:1/db").doesNotContain("fromenv");
    }

    @Test
    void aCommandSectionWinsOverTheTopLevel() throws IOException {
        Path f = config("source: " + closed("top") + "\ntarget: " + closed("t") + "\ncheck:\n  source: "
                + closed("section") + "\n");
        assertThat(MainTest.run(Map.of(), "check", "--config", f.toString()).out()).contains("source section@");
    }

    @Test
    void unknownKeysAndWrongTypesStopTheRunNamingKeyAndFile() throws IOException {
        Path f = config("source: " + closed("s") + "\njbos: 4\n");
        MainTest.Run r = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("unknown key 'jbos' in " + f).contains("jobs");

        f = config("jobs: lots\n");
        r = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("key 'jobs' in " + f + " must be a whole number, not string 'lots'");

        f = config("clone:\n  schema: sometimes\n");
        r = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(r.err()).contains("key 'clone.schema' in " + f + " must be one of create|existing");

        f = config("check:\n  slot: x\n");
        r = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(r.err()).contains("unknown key 'check.slot' in " + f + "; command 'check' has no option --slot");

        f = config("- a list\n");
        assertThat(MainTest.run(Map.of(), "--config", f.toString(), "check").err()).contains("must hold a mapping");

        r = MainTest.run(Map.of("INFLIGHT_JOBS", "many"), "check");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("environment variable INFLIGHT_JOBS must be a whole number, not 'many'");

        r = MainTest.run(Map.of(), "--config", dir.resolve("missing.yaml").toString(), "check");
        assertThat(r.err()).contains("configuration file " + dir.resolve("missing.yaml") + " does not exist");
    }

    @Test
    void aPasswordInTheFileIsRefusedWithoutShowingIt() throws IOException {
        Path f = config("source:\n  uri: " + closed("s") + "\n  password: hunter2\n");
        MainTest.Run r = MainTest.run(Map.of(), "--config", f.toString(), "check");
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION.exitCode());
        assertThat(r.err()).contains("key 'source.password' in " + f + ": passwords are never read from the"
                + " configuration file").contains("password_file").doesNotContain("hunter2");
    }

    @Test
    void tlsSettingsOfAnEndpointMappingReachTheUri() throws IOException {
        Path f = config("source:\n  uri: " + closed("s") + "\n  sslmode: verify-full\n  sslrootcert: " + dir
                + "/ca.crt\ntarget: " + closed("t") + "\n");
        MainTest.Run r = MainTest.run(Map.of(), "--config", f.toString(), "check", "--json");
        assertThat(r.code()).isEqualTo(ErrorCode.CONNECTION_FAILED.exitCode());
        assertThat(r.out()).startsWith("{\"ok\":false,\"blockers\":2,");

        f = config("source:\n  uri: " + closed("s") + "\n  sslmode: sometimes\ntarget: " + closed("t") + "\n");
        assertThat(MainTest.run(Map.of(), "--config", f.toString(), "check").err())
                .contains("sslmode=sometimes; use one of");
    }

    @Test
    void aPasswordFileIsRead() throws IOException {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        assertThat(Passwords.lookup(Environment.of(Map.of(Passwords.fileVariableFor("source"), pw.toString())),
                "source").reveal()).isEqualTo("s3cret");
        assertThat(Passwords.lookup(Environment.of(Map.of(Passwords.fileVariableFor("source"), pw.toString(),
                Passwords.variableFor("source"), "direct")), "source").reveal()).isEqualTo("direct");
        Environment missing = Environment.of(Map.of(Passwords.fileVariableFor("target"), dir + "/nope"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Passwords.lookup(missing, "target"))
                .hasMessageContaining("cannot read the target password file " + dir + "/nope");
    }
}
