package dev.tandem.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a {@link TandemConfig} from layered sources: the bundled defaults, the YAML file, the
 * environment and flags, each a tree of keys merged over the previous one, then bound to records and
 * validated. Environment names are derived from the key paths present in the merged tree
 * ({@code limits.maxFrameBytes} → {@code TANDEM_LIMITS_MAX_FRAME_BYTES}), so every key, including those of
 * namespaces declared in the file, has an override without a hand-kept list.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // so TANDEM_SERVER_ALLOWED_ORIGINS=https://app.example.com sets a one-element list
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .registerModule(new SimpleModule().addDeserializer(Duration.class, new DurationParser()));

    private ObjectNode tree;

    private ConfigLoader(ObjectNode defaults) {
        this.tree = defaults;
    }

    /** Starts from the bundled defaults. */
    public static ConfigLoader defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/tandem-defaults.yaml")) {
            return new ConfigLoader((ObjectNode) YAML.readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("bundled tandem-defaults.yaml is unreadable", e);
        }
    }

    /** Merges a YAML file over what is there. */
    public ConfigLoader file(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("--config", "cannot read " + file);
        }
        JsonNode parsed;
        try {
            parsed = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException(file.toString(), "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), e.getMessage());
        }
        if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
            return this;
        }
        if (!parsed.isObject()) {
            throw new ConfigException(file.toString(), "the top level must be a mapping of keys");
        }
        merge(tree, (ObjectNode) parsed);
        return this;
    }

    /** Applies {@code TANDEM_<PATH>} variables for every key path the tree has. */
    public ConfigLoader environment(Map<String, String> env) {
        fillNamespaceDefaults();
        for (String path : leafPaths(tree, "")) {
            String value = env.get(envName(path));
            if (value != null) {
                set(path, value);
            }
        }
        return this;
    }

    /** Sets one key by dotted path, as a flag does; the value is converted when bound. */
    public ConfigLoader set(String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode object ? object : node.putObject(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
        return this;
    }

    /** Binds and validates. */
    public TandemConfig load() {
        fillNamespaceDefaults();
        TandemConfig config;
        try {
            config = YAML.treeToValue(tree, TandemConfig.class);
        } catch (JsonMappingException e) {
            throw new ConfigException(keyOf(e), describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("?", e.getOriginalMessage());
        }
        ConfigValidator.validate(config);
        return config;
    }

    /** {@code limits.maxFrameBytes} → {@code TANDEM_LIMITS_MAX_FRAME_BYTES}. */
    static String envName(String path) {
        return "TANDEM_" + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
    }

    private void fillNamespaceDefaults() {
        JsonNode namespaces = tree.get("namespaces");
        if (!(namespaces instanceof ObjectNode all) || !(all.get(TandemConfig.DEFAULT_NAMESPACE) instanceof ObjectNode base)) {
            throw new ConfigException("namespaces.default", "must be a mapping");
        }
        Iterator<Map.Entry<String, JsonNode>> it = all.fields();
        Map<String, JsonNode> filled = new LinkedHashMap<>();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isObject()) {
                throw new ConfigException("namespaces." + entry.getKey(), "must be a mapping");
            }
            ObjectNode merged = base.deepCopy();
            merge(merged, (ObjectNode) entry.getValue());
            filled.put(entry.getKey(), merged);
        }
        filled.forEach(all::set);
    }

    private static void merge(ObjectNode target, ObjectNode source) {
        source.fields().forEachRemaining(entry -> {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode into && entry.getValue() instanceof ObjectNode from) {
                merge(into, from);
            } else {
                target.set(entry.getKey(), entry.getValue() == null ? JsonNodeFactory.instance.nullNode() : entry.getValue());
            }
        });
    }

    private static List<String> leafPaths(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        node.fields().forEachRemaining(entry -> {
            String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            if (entry.getValue().isObject()) {
                paths.addAll(leafPaths(entry.getValue(), path));
            } else {
                paths.add(path);
            }
        });
        return paths;
    }

    private static String keyOf(JsonMappingException e) {
        String key = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
                .collect(Collectors.joining("."));
        return key.isEmpty() ? "?" : key;
    }

    private static String describe(JsonMappingException e) {
        String message = e.getOriginalMessage();
        if (message.startsWith("Unrecognized field")) {
            return "unknown key";
        }
        if (message.contains("not one of the values accepted")) {
            return message.substring(message.indexOf("Cannot deserialize") >= 0 ? message.indexOf("from String") : 0)
                    .replace("from String ", "value ");
        }
        if (message.contains("Cannot deserialize value of type `int`") || message.contains("`long`")) {
            return "expected an integer";
        }
        if (message.contains("`boolean`")) {
            return "expected true or false";
        }
        return message.lines().findFirst().orElse(message);
    }
}
