package dev.tandem.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.ChatConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code typing} command: an ephemeral event (no seq, never stored) fanned out to the channel's other
 * subscribers as {@code typing {userId, name}}, at most one per user per channel per
 * {@code chat.typingInterval}; extra ones are dropped without a word, since a client repeats them anyway.
 */
public final class TypingIndicator {
    private final Hub hub;
    private final long intervalMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> lastSent = new ConcurrentHashMap<>();

    public TypingIndicator(Hub hub, ChatConfig config, Clock clock) {
        this.hub = hub;
        this.intervalMillis = config.typingInterval().toMillis();
        this.clock = clock;
    }

    public void registerOn(CommandRouter router) {
        router.register("typing", this::typing);
    }

    private void typing(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        long now = clock.millis();
        String key = session.userId() + '\u0000' + channel;
        boolean[] allowed = {false};
        lastSent.compute(key, (k, last) -> {
            if (last != null && now - last < intervalMillis) {
                return last;
            }
            allowed[0] = true;
            return now;
        });
        if (!allowed[0]) {
            return;
        }
        ObjectNode event = FrameCodec.envelope("typing", null, channel);
        event.putObject("payload").put("userId", session.userId()).put("name", session.userId());
        hub.broadcast(channel, event, session);
    }

    /** Forgets throttling state older than the interval, so the map holds only users typing right now. */
    public void sweep() {
        long cutoff = clock.millis() - intervalMillis;
        lastSent.values().removeIf(last -> last < cutoff);
    }
}
