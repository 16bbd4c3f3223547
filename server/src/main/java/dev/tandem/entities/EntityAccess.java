package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;
import dev.tandem.hub.DeliveryFilter;
import dev.tandem.hub.Subscriber;
import dev.tandem.session.Session;
import java.util.function.Predicate;

/**
 * Who sees the change events of live records, applying each collection's read rule to its channels
 * {@code entity:{c}} and {@code entity:{c}:{id}}.
 *
 * <p>Two stages, so that a rule that does not depend on the record costs nothing per event. At subscribe
 * (and history) time, {@link #allows} admits a user whom a record-independent rule admits
 * ({@code anonymous}, {@code authenticated}, {@code role:…}): the channel's subscriber set is then exactly
 * the readers, and {@link #audience} answers null (deliver to all) without looking at anyone. When the rule
 * depends on the record ({@code owner}, {@code members}), any authenticated user may subscribe, and
 * {@link #audience} computes once per event which subscribers may see that record; history reads are then
 * limited to users a record-independent rule admits (others resume with {@code since}, which is filtered).
 * Subscribers other than native sessions (STOMP) have no identity here and get no record-dependent events.
 */
public final class EntityAccess implements ChannelAccess.NamespaceGuard, DeliveryFilter {
    /** The namespace of the change-event channels. */
    public static final String NAMESPACE = EntityEvents.NAMESPACE;

    private final CollectionCatalog catalog;
    private final boolean dev;

    public EntityAccess(CollectionCatalog catalog, boolean dev) {
        this.catalog = catalog;
        this.dev = dev;
    }

    @Override
    public boolean allows(Identity who, String channel, ChannelAccess.Action action) {
        String collection = EntityEvents.collectionOf(channel);
        if (collection == null || !CollectionCatalog.wellFormed(collection)) {
            return false;
        }
        CollectionPolicy policy = catalog.find(collection);
        boolean reading = action == ChannelAccess.Action.SUBSCRIBE || action == ChannelAccess.Action.HISTORY;
        if (policy == null) {
            // dev mode: the collection a first write would create reads as "authenticated", which admits everyone in dev
            return dev && reading;
        }
        return switch (action) {
            case SUBSCRIBE -> policy.readsEverything(who) || (policy.readDependsOnRecord() && (!who.anonymous() || dev));
            case HISTORY -> policy.readsEverything(who);
            default -> false;
        };
    }

    @Override
    public boolean appliesTo(String channel) {
        String collection = EntityEvents.collectionOf(channel);
        CollectionPolicy policy = collection == null ? null : catalog.find(collection);
        return policy != null && policy.readDependsOnRecord();
    }

    @Override
    public Predicate<Subscriber> audience(String channel, JsonNode payload) {
        String collection = EntityEvents.collectionOf(channel);
        CollectionPolicy policy = collection == null ? null : catalog.find(collection);
        if (policy == null || !policy.readDependsOnRecord() || !payload.has("record")) {
            return null;
        }
        JsonNode data = payload.path("record").path("data");
        return subscriber -> {
            Identity who = subscriber instanceof Session session ? session.identity() : null;
            return who != null && (policy.readsEverything(who) || policy.recordAdmits(who.userId(), data));
        };
    }
}
