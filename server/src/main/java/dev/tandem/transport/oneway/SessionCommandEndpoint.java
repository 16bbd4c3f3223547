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
import dev.tandem.transport.HttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /session/{id}}: commands for a session whose transport only flows server → client (SSE,
 * streaming, polling). The body is one native-protocol frame or an array of them; they are validated as a
 * whole (a malformed body changes nothing and gets a 400), then dispatched in order on the session's event
 * loop. Replies and errors travel on the session's stream like on WebSocket, correlated by {@code requestId}, so
 * a client sees one ordered stream whatever its transport; the POST itself answers {@code 202 {"accepted": n}}.
 */
public final class SessionCommandEndpoint implements HttpEndpoint {
    public static final String PREFIX = "/session/";

    private final OneWaySessions sessions;
    private final TandemMetrics metrics;
    private final int maxFrames;

    public SessionCommandEndpoint(OneWaySessions sessions, TandemMetrics metrics) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.maxFrames = sessions.config().transports().maxFramesPerPost();
    }

    @Override
    public HttpReply handle(HttpExchange exchange) {
        String id = exchange.path().substring(PREFIX.length());
        Identity user = sessions.authenticate(exchange);
        List<InboundFrame> frames = parse(exchange);
        Session session = sessions.find(id, user);
        if (session == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND,
                    "no session " + id + " for this user here (closed or expired): reconnect with your cursor");
        }
        metrics.framesIn().increment(frames.size());
        session.transport().eventLoop().execute(() -> frames.forEach(frame -> sessions.dispatch(session, frame)));
        return HttpReply.json(HttpResponseStatus.ACCEPTED,
                FrameCodec.JSON.createObjectNode().put("accepted", frames.size()));
    }

    private List<InboundFrame> parse(HttpExchange exchange) {
        JsonNode body;
        try {
            body = FrameCodec.JSON.readTree(exchange.body());
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
        if (!body.isArray() && exchange.body().length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes");
        }
        List<InboundFrame> frames = new ArrayList<>(elements.size());
        for (JsonNode element : elements) {
            frames.add(FrameCodec.parse(element));
        }
        return frames;
    }
}
