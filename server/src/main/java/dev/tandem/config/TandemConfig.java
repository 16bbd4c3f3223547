package dev.tandem.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The whole server configuration, bound once at start from defaults, the YAML file, {@code TANDEM_*}
 * environment variables and command-line flags (in that order of precedence, last wins), validated,
 * and never changed afterwards. {@code server/src/main/resources/tandem-defaults.yaml} is the reference
 * of every key and its default.
 *
 * @param host       interface to bind
 * @param port       TCP port for every endpoint (0 picks a free port)
 * @param dataDir    where durable state lives
 * @param dev        dev mode: loopback defaults, {@code ?user=} identities
 * @param server     browser-facing HTTP settings (allowed origins)
 * @param api        server HTTP API
 * @param admin      admin dashboard
 * @param auth       who may connect
 * @param connection per-connection timings
 * @param limits     sizes and bounds that protect the server
 * @param tracing    OpenTelemetry spans over OTLP
 * @param shutdown   graceful drain
 * @param transports HTTP fallback transports (SSE, streaming, polling)
 * @param store      the durable store (H2 or PostgreSQL)
 * @param cluster    running as one of several nodes on Redis (off when {@code cluster.redis.url} is empty)
 * @param chat       chat messages, receipts and typing
 * @param documents  collaborative documents (y-websocket)
 * @param namespaces channel policies by namespace; {@code default} applies to every other channel
 * @param entities   live records: document limit and collection defaults
 * @param collections declared collections of live records, by name
 */
public record TandemConfig(
        String host,
        int port,
        Path dataDir,
        boolean dev,
        ServerConfig server,
        ApiConfig api,
        AdminConfig admin,
        AuthConfig auth,
        ConnectionConfig connection,
        LimitsConfig limits,
        TracingConfig tracing,
        ShutdownConfig shutdown,
        TransportsConfig transports,
        StoreConfig store,
        ClusterConfig cluster,
        ChatConfig chat,
        DocumentsConfig documents,
        Map<String, NamespaceConfig> namespaces,
        EntitiesConfig entities,
        Map<String, CollectionConfig> collections) {

    /** The namespace entry that applies to channels whose namespace has no entry of its own. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** The policy for a namespace, falling back to {@code default}. */
    public NamespaceConfig namespace(String name) {
        NamespaceConfig config = namespaces.get(name);
        return config != null ? config : namespaces.get(DEFAULT_NAMESPACE);
    }
}
