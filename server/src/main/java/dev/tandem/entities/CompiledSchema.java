package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.tandem.config.ConfigException;
import dev.tandem.protocol.FrameCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A collection's JSON Schema compiled with networknt json-schema-validator (draft from {@code $schema},
 * 2020-12 when absent). Thread-safe once compiled, so the writer and the event loops share one instance.
 */
final class CompiledSchema implements DataSchema {
    private final JsonSchema schema;

    private CompiledSchema(JsonSchema schema) {
        this.schema = schema;
    }

    /** Compiles {@code collections.<name>.schema}: an inline mapping, or the path of a JSON file; null when unset. */
    static DataSchema of(String collection, JsonNode config) {
        if (config == null || config.isNull()) {
            return null;
        }
        String key = "collections." + collection + ".schema";
        JsonNode tree = config.isTextual() ? read(key, Path.of(config.textValue())) : config;
        if (!tree.isObject()) {
            throw new ConfigException(key, "must be a JSON Schema mapping or a file path");
        }
        SpecVersion.VersionFlag version = tree.has("$schema")
                ? SpecVersionDetector.detect(tree) : SpecVersion.VersionFlag.V202012;
        return new CompiledSchema(JsonSchemaFactory.getInstance(version).getSchema(tree));
    }

    private static JsonNode read(String key, Path file) {
        try {
            return FrameCodec.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read " + file + ": " + e.getMessage());
        }
    }

    @Override
    public List<Violation> violations(JsonNode data) {
        return schema.validate(data).stream()
                .map(m -> new Violation(m.getInstanceLocation().toString(), m.getMessage()))
                .sorted(java.util.Comparator.comparing(Violation::path).thenComparing(Violation::message))
                .toList();
    }
}
