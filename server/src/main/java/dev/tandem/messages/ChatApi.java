package dev.tandem.messages;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.ServerApi;
import dev.tandem.config.ChatConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.store.ReceiptCursor;
import dev.tandem.store.Store;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;

/**
 * The chat part of the server HTTP API: {@code GET /api/channels/{channel}/receipts?seq=N} (who has received
 * and who has read message N: each user's id and display name up to {@code chat.receiptNamesUpTo} users, counts
 * always) and
 * {@code GET /api/users/{user}/unread} (unread message counts per channel the user has read receipts in).
 */
public final class ChatApi {
    private static final String USERS_PREFIX = "/api/users/";
    private static final String UNREAD_SUFFIX = "/unread";

    private final Store store;
    private final ChatConfig config;

    public ChatApi(Store store, ChatConfig config) {
        this.store = store;
        this.config = config;
    }

    public void registerOn(HttpRouter router, ServerApi api) {
        api.channelResource("/receipts", this::receipts);
        router.routePattern(HttpMethod.GET, USERS_PREFIX, UNREAD_SUFFIX, api.guardedAsync(this::unread));
    }

    private CompletableFuture<HttpReply> receipts(String channel, HttpExchange exchange) {
        long seq = ServerApi.longParam(exchange, "seq");
        if (seq < 1) {
            throw ProtocolException.badRequest("'seq' is required and must be a positive integer");
        }
        return store.receipts(channel).thenApply(cursors -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel).put("seq", seq);
            boolean names = cursors.size() <= config.receiptNamesUpTo();
            summarise(body.putObject("delivered"), cursors, ReceiptCursor::deliveredUpTo, seq, names);
            summarise(body.putObject("read"), cursors, ReceiptCursor::readUpTo, seq, names);
            return HttpReply.ok(body);
        });
    }

    private static void summarise(ObjectNode target, List<ReceiptCursor> cursors, ToLongFunction<ReceiptCursor> upTo,
                                  long seq, boolean names) {
        List<ReceiptCursor> reached = cursors.stream().filter(c -> upTo.applyAsLong(c) >= seq).toList();
        target.put("count", reached.size());
        if (names) {
            ArrayNode users = target.putArray("users");
            reached.forEach(c -> users.addObject().put("userId", c.userId())
                    .put("name", c.userName() == null ? c.userId() : c.userName()));
        }
    }

    private CompletableFuture<HttpReply> unread(HttpExchange exchange) {
        String path = exchange.path();
        if (!path.endsWith(UNREAD_SUFFIX) || path.length() <= USERS_PREFIX.length() + UNREAD_SUFFIX.length()) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
        String user = path.substring(USERS_PREFIX.length(), path.length() - UNREAD_SUFFIX.length());
        return store.unread(user).thenApply(counts -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("userId", user);
            ObjectNode channels = body.putObject("channels");
            counts.forEach(channels::put);
            return HttpReply.ok(body);
        });
    }
}
