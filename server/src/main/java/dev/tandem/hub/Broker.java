package dev.tandem.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.store.StoredEvent;
import java.util.concurrent.CompletableFuture;

/**
 * How the hub reaches the other nodes of a cluster: the SPI between {@link Hub} (local channels, ordering,
 * recovery) and a message broker. The {@link #local() local} broker is a single node: nothing leaves the
 * process and channels sequence their own publications. A clustered broker (Redis) sequences non-durable
 * publications for every node at once, keeps their history where every node can read it, and carries durable
 * commits and ephemeral frames to the other nodes, which hand them to their hub through {@link Receiver}.
 *
 * <p>Every method returns at once: a clustered broker talks to its server asynchronously, never on the caller's
 * thread (often an event loop, or a channel's lock).
 */
public interface Broker {

    /** Whether non-durable channels are sequenced by the broker (cluster) rather than by this process. */
    boolean clustered();

    /**
     * Cluster: gives a non-durable publication the channel's next seq and records it in shared history; it then
     * reaches every node, this one included, through {@link Receiver#receivePublication}. {@code known} is this
     * node's position in the channel, or null: the broker continues from it when it lost the channel (a Redis
     * restart) instead of starting a new epoch. Completes with the seq.
     */
    CompletableFuture<Long> publish(String channel, NamespaceConfig policy, String payloadJson, String userId,
                                    long timestamp, long ttlMillis, Since known);

    /**
     * Cluster: a non-durable channel's shared history after {@code after} (at most {@code limit}), and its latest
     * seq; {@code known} as for {@link #publish}.
     */
    CompletableFuture<SharedPage> after(String channel, NamespaceConfig policy, long after, int limit, Since known);

    /** Cluster: a non-durable channel's shared history before {@code before} (&lt; 0 = newest), newest last. */
    CompletableFuture<SharedPage> before(String channel, NamespaceConfig policy, long before, int limit, Since known);

    /** Tells the other nodes about a durable event this node committed (and already delivered locally). */
    void committed(StoredEvent event);

    /** Sends an ephemeral frame to the channel's subscribers on the other nodes. */
    void broadcast(String channel, byte[] frame);

    /** What a clustered broker delivers to: the hub of this node. */
    interface Receiver {
        /** A non-durable publication in the broker's order, possibly out of order or after a lost one. */
        void receivePublication(String channel, String epoch, SharedEvent event);

        /** A durable event another node committed. */
        void receiveCommitted(StoredEvent event);

        /** An ephemeral frame another node broadcast. */
        void receiveBroadcast(String channel, byte[] frame);

        /** The broker reconnected after an outage: whatever was missed meanwhile must be read back. */
        void resync();
    }

    /** The single-node broker: every channel is sequenced here and nothing leaves the process. */
    static Broker local() {
        return LocalBroker.INSTANCE;
    }

    /** Frames go nowhere, and nothing is asked of a broker that is not clustered. */
    final class LocalBroker implements Broker {
        private static final LocalBroker INSTANCE = new LocalBroker();

        private LocalBroker() {
        }

        @Override
        public boolean clustered() {
            return false;
        }

        @Override
        public CompletableFuture<Long> publish(String channel, NamespaceConfig policy, String payloadJson, String userId,
                                               long timestamp, long ttlMillis, Since known) {
            throw new UnsupportedOperationException("a single node sequences its own channels");
        }

        @Override
        public CompletableFuture<SharedPage> after(String channel, NamespaceConfig policy, long after, int limit,
                                                   Since known) {
            throw new UnsupportedOperationException("a single node keeps history in its channels");
        }

        @Override
        public CompletableFuture<SharedPage> before(String channel, NamespaceConfig policy, long before, int limit,
                                                    Since known) {
            throw new UnsupportedOperationException("a single node keeps history in its channels");
        }

        @Override
        public void committed(StoredEvent event) {
        }

        @Override
        public void broadcast(String channel, byte[] frame) {
        }
    }
}
