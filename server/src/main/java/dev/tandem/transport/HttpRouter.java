package dev.tandem.transport;

import static java.util.concurrent.CompletableFuture.completedFuture;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP router in front of every endpoint: exact paths, path prefixes (for resources such as
 * {@code /api/channels/{name}/history}) and WebSocket upgrade paths. It is the one place that turns endpoint
 * failures into responses: a {@link ProtocolException} becomes its JSON 4xx, anything else a logged 500.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);

    private final Map<String, Map<HttpMethod, HttpEndpoint>> exact = new HashMap<>();
    private final Map<String, Map<HttpMethod, HttpEndpoint>> prefixes = new LinkedHashMap<>();
    private final Map<String, WebSocketEndpoint> webSockets = new HashMap<>();
    private final Map<String, WebSocketEndpoint> webSocketPrefixes = new LinkedHashMap<>();

    public HttpRouter route(HttpMethod method, String path, HttpEndpoint endpoint) {
        exact.computeIfAbsent(path, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    /** Routes every path starting with {@code prefix} (which should end in '/'). */
    public HttpRouter routePrefix(HttpMethod method, String prefix, HttpEndpoint endpoint) {
        prefixes.computeIfAbsent(prefix, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    public HttpRouter webSocket(String path, WebSocketEndpoint endpoint) {
        webSockets.put(path, endpoint);
        return this;
    }

    /** Upgrades every path starting with {@code prefix} (which should end in '/'), e.g. {@code /yjs/{room}}. */
    public HttpRouter webSocketPrefix(String prefix, WebSocketEndpoint endpoint) {
        webSocketPrefixes.put(prefix, endpoint);
        return this;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            ErrorCode code = decoded.cause() instanceof TooLongFrameException ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST;
            respond(ctx, request, HttpReply.error(code, "malformed HTTP request"), false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        WebSocketEndpoint ws = webSocketFor(path);
        if (ws != null) {
            upgrade(ctx, request, ws);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        CompletableFuture<HttpReply> reply = dispatch(request, uri, path);
        if (reply.isDone()) {
            respond(ctx, request, reply.join(), keepAlive);
            return;
        }
        reply.whenComplete((r, e) -> ctx.executor().execute(() -> respond(ctx, null, r, keepAlive)));
    }

    private WebSocketEndpoint webSocketFor(String path) {
        WebSocketEndpoint ws = webSockets.get(path);
        if (ws != null) {
            return ws;
        }
        return webSocketPrefixes.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, WebSocketEndpoint ws) {
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            respond(ctx, request, HttpReply.error(ErrorCode.BAD_REQUEST, "this path takes a WebSocket upgrade"),
                    HttpUtil.isKeepAlive(request));
            return;
        }
        ws.install(ctx.pipeline());
        ctx.fireChannelRead(request.retain());
        ctx.pipeline().remove(this);
    }

    private CompletableFuture<HttpReply> dispatch(FullHttpRequest request, QueryStringDecoder uri, String path) {
        Map<HttpMethod, HttpEndpoint> byMethod = exact.get(path);
        if (byMethod == null) {
            byMethod = prefixes.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (byMethod == null) {
            return completedFuture(HttpReply.error(ErrorCode.NOT_FOUND, "no such endpoint: " + path));
        }
        HttpEndpoint endpoint = byMethod.get(request.method());
        if (endpoint == null) {
            return completedFuture(HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                    request.method() + " is not allowed on " + path + "; use " + new ArrayList<>(byMethod.keySet())));
        }
        HttpExchange exchange = new HttpExchange(request.method(), path, uri.parameters(), request.headers(),
                ByteBufUtil.getBytes(request.content()));
        String what = request.method() + " " + path;
        try {
            if (endpoint instanceof AsyncHttpEndpoint async) {
                return async.handleAsync(exchange).exceptionally(e -> failure(what, e));
            }
            return completedFuture(endpoint.handle(exchange));
        } catch (RuntimeException e) {
            return completedFuture(failure(what, e));
        }
    }

    private static HttpReply failure(String what, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ProtocolException p) {
            return HttpReply.error(p.code(), p.getMessage());
        }
        LOG.error("{} failed", what, cause);
        return HttpReply.error(ErrorCode.INTERNAL, "internal error");
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpReply reply, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Every registered path, for {@code /api/info}. */
    public List<String> paths() {
        List<String> paths = new ArrayList<>(exact.keySet());
        prefixes.keySet().forEach(p -> paths.add(p + "…"));
        paths.addAll(webSockets.keySet());
        webSocketPrefixes.keySet().forEach(p -> paths.add(p + "…"));
        paths.sort(String::compareTo);
        return paths;
    }
}
