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
import java.util.Collection;
import java.util.Comparator;
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
 * failures into responses: a {@link ProtocolException} becomes its JSON 4xx, anything else a logged 500. It
 * is also where the {@link OriginPolicy} applies: a browser request from an origin that is not allowed gets
 * 403 (WebSocket upgrades included), preflights are answered, and allowed origins get CORS headers.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);

    private final Map<String, Map<HttpMethod, AsyncHttpEndpoint>> exact = new HashMap<>();
    private final Map<PathPattern, Map<HttpMethod, AsyncHttpEndpoint>> prefixes = new LinkedHashMap<>();
    private final Map<String, WebSocketEndpoint> webSockets = new HashMap<>();
    private final Map<String, Map<HttpMethod, StreamingEndpoint>> streaming = new HashMap<>();
    private final Map<String, WebSocketEndpoint> webSocketPrefixes = new LinkedHashMap<>();
    private final OriginPolicy origins;

    public HttpRouter(OriginPolicy origins) {
        this.origins = origins;
    }

    public HttpRouter route(HttpMethod method, String path, HttpEndpoint endpoint) {
        return routeAsync(method, path, sync(endpoint));
    }

    public HttpRouter routeAsync(HttpMethod method, String path, AsyncHttpEndpoint endpoint) {
        exact.computeIfAbsent(path, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    /** Routes every path starting with {@code prefix} (which should end in '/'). */
    public HttpRouter routePrefix(HttpMethod method, String prefix, HttpEndpoint endpoint) {
        return routePrefixAsync(method, prefix, sync(endpoint));
    }

    public HttpRouter routePrefixAsync(HttpMethod method, String prefix, AsyncHttpEndpoint endpoint) {
        return routePattern(method, prefix, "", endpoint);
    }

    /**
     * Routes paths of the form {@code prefix…suffix}, e.g. {@code /api/users/} + {@code /presence}, so that
     * several resources can share a prefix; the most specific pattern wins.
     */
    public HttpRouter routePattern(HttpMethod method, String prefix, String suffix, AsyncHttpEndpoint endpoint) {
        prefixes.computeIfAbsent(new PathPattern(prefix, suffix), p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    /** {@link #routePattern} for an endpoint that answers at once. */
    public HttpRouter routePattern(HttpMethod method, String prefix, String suffix, HttpEndpoint endpoint) {
        return routePattern(method, prefix, suffix, sync(endpoint));
    }

    /** A path that starts with {@code prefix} and ends with {@code suffix} (which may be empty). */
    private record PathPattern(String prefix, String suffix) {
        boolean matches(String path) {
            return path.length() > prefix.length() + suffix.length() && path.startsWith(prefix) && path.endsWith(suffix);
        }

        int specificity() {
            return prefix.length() + suffix.length();
        }
    }

    /** Routes {@code path} to an endpoint that writes its response itself (SSE, streaming, polling). */
    public HttpRouter streaming(HttpMethod method, String path, StreamingEndpoint endpoint) {
        streaming.computeIfAbsent(path, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    private static AsyncHttpEndpoint sync(HttpEndpoint endpoint) {
        return exchange -> CompletableFuture.completedFuture(endpoint.handle(exchange));
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
            respond(ctx, null, HttpReply.error(code, "malformed HTTP request"), false);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
            LOG.warn("refused origin={} remote={}", origin, ctx.channel().remoteAddress());
            respond(ctx, null, HttpReply.error(ErrorCode.FORBIDDEN, "origin not allowed: " + origin), false);
            return;
        }
        if (origin != null && request.method().equals(HttpMethod.OPTIONS)) {
            preflight(ctx, request, origin);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        WebSocketEndpoint ws = webSocketFor(path);
        if (ws != null) {
            upgrade(ctx, request, ws);
            return;
        }
        StreamingEndpoint stream = streaming.getOrDefault(path, Map.of()).get(request.method());
        if (stream != null) {
            openStream(ctx, request, uri, stream);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        CompletableFuture<HttpReply> reply = dispatch(ctx, request, uri, path);
        if (reply.isDone()) {
            respond(ctx, origin, settle(reply, method, path), keepAlive);
            return;
        }
        reply.whenComplete((r, e) -> ctx.executor().execute(() -> respond(ctx, origin, settle(reply, method, path), keepAlive)));
    }

    private static HttpReply settle(CompletableFuture<HttpReply> reply, String method, String path) {
        try {
            return reply.join();
        } catch (CompletionException e) {
            return failure(e.getCause() == null ? e : e.getCause(), method, path);
        } catch (RuntimeException e) {
            return failure(e, method, path);
        }
    }

    private static HttpReply failure(Throwable error, String method, String path) {
        if (error instanceof ProtocolException e) {
            return HttpReply.error(e.code(), e.getMessage(), e.details());
        }
        LOG.error("{} {} failed", method, path, error);
        return HttpReply.error(ErrorCode.INTERNAL, "internal error");
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
            respond(ctx, request.headers().get(HttpHeaderNames.ORIGIN),
                    HttpReply.error(ErrorCode.BAD_REQUEST, "this path takes a WebSocket upgrade"),
                    HttpUtil.isKeepAlive(request));
            return;
        }
        ws.install(ctx.pipeline());
        ctx.fireChannelRead(request.retain());
        ctx.pipeline().remove(this);
    }

    private void openStream(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                            StreamingEndpoint endpoint) {
        HttpExchange exchange = new HttpExchange(request.method(), uri.path(), uri.parameters(), request.headers(),
                ByteBufUtil.getBytes(request.content()), String.valueOf(ctx.channel().remoteAddress()));
        try {
            endpoint.open(ctx, exchange);
        } catch (ProtocolException e) {
            respond(ctx, request.headers().get(HttpHeaderNames.ORIGIN), HttpReply.error(e.code(), e.getMessage()),
                    HttpUtil.isKeepAlive(request));
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", request.method(), uri.path(), e);
            respond(ctx, null, HttpReply.error(ErrorCode.INTERNAL, "internal error"), false);
        }
    }

    private CompletableFuture<HttpReply> dispatch(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                                                 String path) {
        Map<HttpMethod, AsyncHttpEndpoint> byMethod = exact.get(path);
        if (byMethod == null) {
            byMethod = prefixes.entrySet().stream().filter(e -> e.getKey().matches(path))
                    .max(Comparator.comparingInt(e -> e.getKey().specificity()))
                    .map(Map.Entry::getValue).orElse(null);
        }
        if (byMethod == null && streaming.containsKey(path)) {
            return CompletableFuture.completedFuture(notAllowed(request, path, streaming.get(path).keySet()));
        }
        if (byMethod == null) {
            return CompletableFuture.completedFuture(HttpReply.error(ErrorCode.NOT_FOUND, "no such endpoint: " + path));
        }
        AsyncHttpEndpoint endpoint = byMethod.get(request.method());
        if (endpoint == null) {
            return CompletableFuture.completedFuture(notAllowed(request, path, byMethod.keySet()));
        }
        HttpExchange exchange = new HttpExchange(request.method(), path, uri.parameters(), request.headers(),
                ByteBufUtil.getBytes(request.content()), String.valueOf(ctx.channel().remoteAddress()));
        String what = request.method() + " " + path;
        try {
            return endpoint.handle(exchange);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static HttpReply notAllowed(FullHttpRequest request, String path, Collection<HttpMethod> allowed) {
        return HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                request.method() + " is not allowed on " + path + "; use " + new ArrayList<>(allowed));
    }

    /** A CORS preflight from an allowed origin: the methods and headers the API takes, cached for ten minutes. */
    private static void preflight(ChannelHandlerContext ctx, FullHttpRequest request, String origin) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                .set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN)
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    /** Writes a reply; {@code corsOrigin} is the request's (already allowed) Origin, echoed for CORS, or null. */
    private static void respond(ChannelHandlerContext ctx, String corsOrigin, HttpReply reply, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (corsOrigin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin)
                    .set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
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
        paths.addAll(streaming.keySet());
        prefixes.keySet().forEach(p -> paths.add(p.prefix() + "…" + p.suffix()));
        paths.addAll(webSockets.keySet());
        webSocketPrefixes.keySet().forEach(p -> paths.add(p + "…"));
        paths.sort(String::compareTo);
        return paths;
    }
}
