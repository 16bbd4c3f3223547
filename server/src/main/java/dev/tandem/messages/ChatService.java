package dev.tandem.messages;

import dev.tandem.api.ServerApi;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.config.ChatConfig;
import dev.tandem.hub.Hub;
import dev.tandem.session.CommandRouter;
import dev.tandem.store.Store;
import dev.tandem.transport.HttpRouter;
import java.time.Clock;

/**
 * Chat as one service for the server to wire: message commands, typing, receipts and their HTTP API, with
 * one clock (injectable for tests) and one periodic {@link #sweep}.
 */
public final class ChatService implements AutoCloseable {
    private final ChatMessages messages;
    private final TypingIndicator typing;
    private final Receipts receipts;
    private final ChatApi api;

    public ChatService(Hub hub, Store store, ChatConfig config, Clock clock) {
        this.messages = new ChatMessages(hub, config, new ChatPermissions(config), clock);
        this.typing = new TypingIndicator(hub, config, clock);
        this.receipts = new Receipts(hub, store, config, clock);
        this.api = new ChatApi(store, config);
    }

    public void registerOn(CommandRouter commands, HttpRouter router, ServerApi serverApi, ChannelAccess access) {
        new ChatCommands(messages, access).registerOn(commands);
        typing.registerOn(commands);
        receipts.registerOn(commands);
        api.registerOn(router, serverApi);
    }

    /** Sending, editing and deleting messages, for transports other than the native protocol (STOMP). */
    public ChatMessages messages() {
        return messages;
    }

    /** Drops idle throttling and coalescing state; run periodically. */
    public void sweep() {
        typing.sweep();
        receipts.sweep();
    }

    @Override
    public void close() {
        receipts.close();
    }
}
