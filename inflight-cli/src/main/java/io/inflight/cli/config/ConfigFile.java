package io.inflight.cli.config;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the YAML configuration file into plain maps, lists and scalars (YAML 1.2 core schema: {@code yes}
 * is a string, not a boolean). Only a mapping at the top is accepted; duplicate keys are refused.
 */
public final class ConfigFile {

    private ConfigFile() {
    }

    public static Map<String, Object> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "configuration file " + file
                    + " does not exist (given by --config or INFLIGHT_CONFIG)");
        } catch (IOException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "cannot read configuration file " + file
                    + ": " + e.getMessage(), e);
        }
        Object doc;
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false)
                    .setLabel(file.toString()).build();
            doc = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "configuration file " + file
                    + " is not valid YAML: " + e.getMessage().strip().replace('\n', ' '), e);
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "configuration file " + file
                    + " must hold a mapping of keys to values (key: value), not a " + kind(doc));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    static String kind(Object v) {
        if (v instanceof Map) {
            return "mapping";
        }
        if (v instanceof java.util.List) {
            return "list";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof Number) {
            return "number";
        }
        return v == null ? "empty value" : "string";
    }
}
