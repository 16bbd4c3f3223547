package dev.tandem.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.config.AccessConfig;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides whether a user may subscribe to, publish on, join the presence of, or read the
 * history of a channel. Every entry point asks it (native commands, the HTTP API, presence and chat services)
 * with the caller's {@link Identity}. Rules come from the namespace's {@code access} config (see
 * {@link AccessConfig}); the {@code channels} claim of the user's token adds channel patterns for subscribe,
 * presence and history. A refusal is {@code error forbidden} with the same message whether or not the
 * channel exists, so probing tells nothing. In dev mode {@code authenticated} and {@code owner} also admit
 * anonymous users; in production an anonymous user passes only {@code anonymous} rules.
 */
public final class ChannelAccess {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelAccess.class);

    /** What a user wants to do on a channel. */
    public enum Action {
        SUBSCRIBE("subscribe to"), PUBLISH("publish on"), PRESENCE("join the presence of"), HISTORY("read the history of");

        private final String phrase;

        Action(String phrase) {
            this.phrase = phrase;
        }
    }

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final TandemMetrics metrics;
    private final Map<String, Map<Action, List<String>>> rules = new HashMap<>();
    private final Map<String, NamespaceGuard> guards = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Decides access for a whole namespace in place of its {@code access} rules, for namespaces whose rules
     * live elsewhere (live records: {@code entity:*} follows each collection's read policy).
     */
    @FunctionalInterface
    public interface NamespaceGuard {
        boolean allows(Identity who, String channel, Action action);
    }

    public ChannelAccess(TandemConfig config, Authenticator authenticator, TandemMetrics metrics) {
        this.config = config;
        this.authenticator = authenticator;
        this.metrics = metrics;
        config.namespaces().forEach((name, ns) -> rules.put(name, compile(ns)));
    }

    /** Lets {@code guard} alone decide every action on the channels of {@code namespace}. */
    public void guard(String namespace, NamespaceGuard guard) {
        guards.put(namespace, guard);
    }

    /** Throws {@code forbidden} unless {@code who} may do {@code action} on {@code channel}. */
    public void check(Identity who, String channel, Action action) {
        check(who, channel, action, null);
    }

    /** As {@link #check(Identity, String, Action)}, with a subscription token the client presented (or null). */
    public void check(Identity who, String channel, Action action, String subscriptionToken) {
        if (!allows(who, channel, action, subscriptionToken)) {
            metrics.refused("forbidden");
            throw new ProtocolException(ErrorCode.FORBIDDEN, "not allowed to " + action.phrase + " " + channel);
        }
    }

    public boolean allows(Identity who, String channel, Action action) {
        return allows(who, channel, action, null);
    }

    /** Whether any rule for the channel's namespace, or the user's {@code channels} claim, allows the action. */
    public boolean allows(Identity who, String channel, Action action, String subscriptionToken) {
        if (who == null) {
            return false;
        }
        String namespace = ChannelName.namespace(channel);
        if (action == Action.PUBLISH && !config.namespace(namespace).clientPublish()) {
            return false;
        }
        NamespaceGuard guard = guards.get(namespace);
        if (guard != null) {
            return guard.allows(who, channel, action);
        }
        Map<Action, List<String>> byAction = rules.getOrDefault(namespace, rules.get(TandemConfig.DEFAULT_NAMESPACE));
        for (String rule : byAction.get(action)) {
            if (matches(rule, who, channel, subscriptionToken)) {
                return true;
            }
        }
        return action != Action.PUBLISH && claimAllows(who, channel);
    }

    private boolean matches(String rule, Identity who, String channel, String subscriptionToken) {
        return switch (rule) {
            case "anonymous" -> true;
            case "authenticated" -> authenticated(who);
            case "owner" -> authenticated(who) && ownedBy(channel, who.userId());
            case "token" -> subscriptionToken != null && tokenAllows(subscriptionToken, who, channel);
            default -> rule.startsWith("role:") && who.hasRole(rule.substring(5));
        };
    }

    private boolean authenticated(Identity who) {
        return !who.anonymous() || config.dev();
    }

    /** {@code ns:ID} and {@code ns:ID:…} belong to user ID. */
    static boolean ownedBy(String channel, String userId) {
        int colon = channel.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String rest = channel.substring(colon + 1);
        return rest.equals(userId) || rest.startsWith(userId + ":");
    }

    /** Patterns of the {@code channels} claim: an exact name, or a prefix ending in {@code *}. */
    private static boolean claimAllows(Identity who, String channel) {
        for (String pattern : who.channels()) {
            if (pattern.endsWith("*") ? channel.startsWith(pattern.substring(0, pattern.length() - 1)) : channel.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** A subscription token names this channel in {@code channel} and this user in {@code sub}. */
    private boolean tokenAllows(String token, Identity who, String channel) {
        try {
            JWTClaimsSet claims = authenticator.verifySubscriptionToken(token);
            return channel.equals(claims.getClaim("channel")) && who.userId().equals(claims.getSubject());
        } catch (TokenRejected e) {
            LOG.warn("subscription token rejected reason={} user={}", e.reason(), who.userId());
            return false;
        }
    }

    private static Map<Action, List<String>> compile(NamespaceConfig ns) {
        AccessConfig access = ns.access();
        Map<Action, List<String>> byAction = new EnumMap<>(Action.class);
        byAction.put(Action.SUBSCRIBE, List.copyOf(access.subscribe()));
        byAction.put(Action.PUBLISH, List.copyOf(access.publish()));
        byAction.put(Action.PRESENCE, List.copyOf(access.presence()));
        byAction.put(Action.HISTORY, List.copyOf(access.history()));
        return byAction;
    }
}
