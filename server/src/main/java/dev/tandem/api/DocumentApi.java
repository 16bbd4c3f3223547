package dev.tandem.api;

import dev.tandem.config.TandemConfig;
import dev.tandem.docs.DocumentRooms;
import dev.tandem.hub.ChannelName;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import dev.tandem.yjs.MalformedUpdateException;
import dev.tandem.yjs.YUpdates;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;

/**
 * Documents over HTTP, for back ends: {@code GET /api/docs/{room}} returns the document as one Yjs update
 * (binary), {@code PUT} applies a Yjs update to it (seeding; connected editors receive it), {@code DELETE}
 * removes it and closes its editors with 4404. Guarded by the API key like every {@code /api} route.
 */
public final class DocumentApi {
    public static final String PREFIX = "/api/docs/";
    private static final String BINARY = "application/octet-stream";

    private final TandemConfig config;
    private final DocumentRooms rooms;

    public DocumentApi(TandemConfig config, DocumentRooms rooms) {
        this.config = config;
        this.rooms = rooms;
    }

    public void registerOn(HttpRouter router) {
        router.routePrefixAsync(HttpMethod.GET, PREFIX, this::get)
                .routePrefixAsync(HttpMethod.PUT, PREFIX, this::put)
                .routePrefixAsync(HttpMethod.DELETE, PREFIX, this::delete);
    }

    private CompletableFuture<HttpReply> get(HttpExchange exchange) {
        String room = room(exchange);
        return rooms.snapshot(room).thenApply(update -> new HttpReply(HttpResponseStatus.OK, BINARY, update));
    }

    private CompletableFuture<HttpReply> put(HttpExchange exchange) {
        String room = room(exchange);
        byte[] update = exchange.body();
        try {
            YUpdates.validate(update);
        } catch (MalformedUpdateException e) {
            throw ProtocolException.badRequest("the body must be a Yjs update (format v1): " + e.getMessage());
        }
        return rooms.apply(room, update).thenApply(v -> HttpReply.ok(FrameCodec.JSON.createObjectNode()
                .put("room", room).put("applied", update.length)));
    }

    private CompletableFuture<HttpReply> delete(HttpExchange exchange) {
        String room = room(exchange);
        return rooms.delete(room).thenApply(v -> HttpReply.ok(FrameCodec.JSON.createObjectNode()
                .put("room", room).put("deleted", true)));
    }

    private String room(HttpExchange exchange) {
        ServerApi.requireApiKey(config, exchange);
        String room = exchange.path().substring(PREFIX.length());
        if (room.isEmpty()) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + exchange.path());
        }
        ChannelName.validate("doc:" + room);
        return room;
    }
}
