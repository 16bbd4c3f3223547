package dev.tandem.transport;

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

    private final Map<String, Map<HttpMethod, HttpEndpoint>> exact = new HashMap<>();
    private final Map<String, Map<HttpMethod, HttpEndpoint>> prefixes = new LinkedHashMap<>();
    private final Map<String, WebSocketEndpoint> webSockets = new HashMap<>();
    private final OriginPolicy origins;

    public HttpRouter(OriginPolicy origins) {
        this.origins = origins;
    }

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

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            ErrorCode code = decoded.cause() instanceof TooLongFrameException ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST;
            respond(ctx, request, HttpReply.error(code, "malformed HTTP request"), false);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
            LOG.warn("refused origin={} remote={}", origin, ctx.channel().remoteAddress());
            respond(ctx, request, HttpReply.error(ErrorCode.FORBIDDEN, "origin not allowed: " + origin), false);
            return;
        }
        if (origin != null && request.method().equals(HttpMethod.OPTIONS)) {
            preflight(ctx, request, origin);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        WebSocketEndpoint ws = webSockets.get(path);
        if (ws != null) {
            upgrade(ctx, request, ws);
            return;
        }
        HttpReply reply = dispatch(ctx, request, uri, path);
        respond(ctx, request, reply, HttpUtil.isKeepAlive(request));
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

    private HttpReply dispatch(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String path) {
        Map<HttpMethod, HttpEndpoint> byMethod = exact.get(path);
        if (byMethod == null) {
            byMethod = prefixes.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (byMethod == null) {
            return HttpReply.error(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
        HttpEndpoint endpoint = byMethod.get(request.method());
        if (endpoint == null) {
            return HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                    request.method() + " is not allowed on " + path + "; use " + new ArrayList<>(byMethod.keySet()));
        }
        HttpExchange exchange = new HttpExchange(request.method(), path, uri.parameters(), request.headers(),
                ByteBufUtil.getBytes(request.content()), String.valueOf(ctx.channel().remoteAddress()));
        try {
            return endpoint.handle(exchange);
        } catch (ProtocolException e) {
            return HttpReply.error(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", request.method(), path, e);
            return HttpReply.error(ErrorCode.INTERNAL, "internal error");
        }
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

    private void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpReply reply, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && origins.allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin).set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
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
        prefixes.keySet().forEach(p -> paths.add(p + "…"));
        paths.addAll(webSockets.keySet());
        paths.sort(String::compareTo);
        return paths;
    }
}
