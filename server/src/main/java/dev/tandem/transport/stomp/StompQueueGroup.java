package dev.tandem.transport.stomp;

import dev.tandem.hub.Delivery;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Subscriber;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Point-to-point delivery for {@code /queue/…} destinations on this node: the STOMP queue subscribers of one
 * channel form a group, the group is the channel's single hub subscriber, and each message goes to one member,
 * round robin. A message a member {@code NACK}s, or still holds unacknowledged when it unsubscribes or
 * disconnects, goes to the next member; with no member left it is dropped (the channel's history still has it).
 * Native subscribers of the same channel are unaffected: they see every publication.
 *
 * <p>Design. Groups are created and dropped inside {@link ConcurrentHashMap#compute} on the registry, which also
 * (un)subscribes the group from the hub, so a group is in the hub exactly while it has members. Deliveries come
 * from the hub under the channel lock and take only the group's own monitor, for the round-robin pick; joins and
 * leaves take the registry bin, then the channel lock inside the hub, never the other way round.
 */
final class StompQueueGroup implements Subscriber {
    private final List<StompSubscription> members = new ArrayList<>();
    private int next;

    /** The node's queue groups, by channel. */
    static final class Registry {
        private final ConcurrentHashMap<String, StompQueueGroup> groups = new ConcurrentHashMap<>();
        private final Hub hub;

        Registry(Hub hub) {
            this.hub = hub;
        }

        void join(StompSubscription member) {
            groups.compute(member.channel(), (channel, group) -> {
                StompQueueGroup target = group != null ? group : new StompQueueGroup();
                if (target.add(member)) {
                    hub.subscribe(target, channel, null, null);
                }
                return target;
            });
        }

        /** Hands {@code message} to the next member of {@code channel}'s group; dropped when there is none. */
        void redeliver(String channel, StompMessages.Converted message) {
            StompQueueGroup group = groups.get(channel);
            if (group != null) {
                group.redeliver(message);
            }
        }

        void leave(StompSubscription member) {
            groups.computeIfPresent(member.channel(), (channel, group) -> {
                boolean empty = group.remove(member);
                member.drainPending().forEach(group::redeliver);
                if (empty) {
                    hub.unsubscribe(group, channel);
                    return null;
                }
                return group;
            });
        }
    }

    /** Adds a member; true if it is the first (the group must then subscribe to the hub). */
    private synchronized boolean add(StompSubscription member) {
        members.add(member);
        return members.size() == 1;
    }

    /** Removes a member; true if none is left. */
    private synchronized boolean remove(StompSubscription member) {
        members.remove(member);
        return members.isEmpty();
    }

    @Override
    public void send(ByteBuf frame) {
        send(frame, Delivery.NORMAL);
    }

    /** From the hub: the chosen member gets the message in the publication's lane, as a native subscriber would. */
    @Override
    public void send(ByteBuf frame, Delivery delivery) {
        try {
            StompMessages.Converted message = StompMessages.convert(frame);
            if (message.subscribed() == null) {
                deliver(message, delivery);
            }
        } finally {
            frame.release();
        }
    }

    /** Hands {@code message} to the next member, if any (a NACK or a leaving member's pending message). */
    void redeliver(StompMessages.Converted message) {
        deliver(message, Delivery.NORMAL);
    }

    private void deliver(StompMessages.Converted message, Delivery delivery) {
        StompSubscription target;
        synchronized (this) {
            if (members.isEmpty()) {
                return;
            }
            next = (next + 1) % members.size();
            target = members.get(next);
        }
        target.deliver(message, delivery);
    }

    @Override
    public String transportName() {
        return "stomp";
    }
}
