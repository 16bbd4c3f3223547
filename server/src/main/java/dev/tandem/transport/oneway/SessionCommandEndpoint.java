package dev.tandem.transport.oneway;

import dev.tandem.auth.Identity;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import dev.tandem.transport.AsyncHttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /session/{id}}: commands for a session whose transport only flows server → client (SSE,
 * streaming, polling). The body is one native-protocol frame or an array of them; they are validated as a
 * whole (a malformed body changes nothing and gets a 400), then dispatched in order on the session's event
 * loop. Replies and errors travel on the session's stream like on WebSocket, correlated by {@code requestId}, so
 * a client sees one ordered stream whatever its transport; the POST itself answers {@code 202 {"accepted": n}}.
 *
 * <p>In a cluster the session may live on another node (no sticky sessions): a POST for a session this node
 * does not hold is forwarded ({@link SessionForwarding}) and answered once the holding node took it, or 404
 * when no node holds it.
 */
public final class SessionCommandEndpoint implements AsyncHttpEndpoint {
    public static final String PREFIX = "/session/";

    private final OneWaySessions sessions;
    private final TandemMetrics metrics;
    private final int maxFrames;
    private final SessionForwarding forwarding;

    /** A single node: every session is here. */
    public SessionCommandEndpoint(OneWaySessions sessions, TandemMetrics metrics) {
        this(sessions, metrics, null);
    }

    /** {@code forwarding} (null on a single node) reaches sessions held by other nodes. */
    public SessionCommandEndpoint(OneWaySessions sessions, TandemMetrics metrics, SessionForwarding forwarding) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.maxFrames = sessions.config().transports().maxFramesPerPost();
        this.forwarding = forwarding;
    }

    @Override
    public CompletableFuture<HttpReply> handle(HttpExchange exchange) {
        String id = exchange.path().substring(PREFIX.length());
        Identity user = sessions.authenticate(exchange);
        List<InboundFrame> frames = parse(exchange.body());
        HttpReply accepted = HttpReply.json(HttpResponseStatus.ACCEPTED,
                FrameCodec.JSON.createObjectNode().put("accepted", frames.size()));
        if (deliver(id, user.userId(), user.anonymous(), frames)) {
            return CompletableFuture.completedFuture(accepted);
        }
        if (forwarding == null) {
            return CompletableFuture.failedFuture(noSession(id));
        }
        return forwarding.forward(id, user, exchange.body()).thenApply(taken -> {
            if (!taken) {
                throw new CompletionException(noSession(id));
            }
            return accepted;
        });
    }

    /**
     * Dispatches {@code body}'s frames to session {@code id} if this node holds it for that user (also for
     * commands forwarded by another node); false when it does not.
     */
    public boolean deliver(String id, String userId, boolean anonymous, byte[] body) {
        return deliver(id, userId, anonymous, parse(body));
    }

    private boolean deliver(String id, String userId, boolean anonymous, List<InboundFrame> frames) {
        Session session = sessions.find(id, userId, anonymous);
        if (session == null) {
            return false;
        }
        metrics.framesIn().increment(frames.size());
        session.transport().eventLoop().execute(() -> frames.forEach(frame -> sessions.dispatch(session, frame)));
        return true;
    }

    private static ProtocolException noSession(String id) {
        return new ProtocolException(ErrorCode.NOT_FOUND,
                "no session " + id + " for this user (closed or expired): reconnect with your cursor");
    }

    private List<InboundFrame> parse(byte[] raw) {
        JsonNode body;
        try {
            body = FrameCodec.JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProtocolException.badRequest("unreadable body");
        }
        if (body == null || body.isMissingNode()) {
            throw ProtocolException.badRequest("the body must be a frame or an array of frames");
        }
        List<JsonNode> elements = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(elements::add);
        } else {
            elements.add(body);
        }
        if (elements.isEmpty()) {
            throw ProtocolException.badRequest("the array of frames is empty");
        }
        if (elements.size() > maxFrames) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "at most " + maxFrames + " frames per POST");
        }
        int maxFrameBytes = sessions.config().limits().maxFrameBytes();
        if (!body.isArray() && raw.length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes");
        }
        List<InboundFrame> frames = new ArrayList<>(elements.size());
        for (JsonNode element : elements) {
            frames.add(FrameCodec.parse(element));
        }
        return frames;
    }
}
