package dev.tandem.transport.ws;

import dev.tandem.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/** The native protocol's WebSocket: its goodbye is the JSON {@code disconnect} frame. */
final class WebSocketSessionTransport extends WebSocketTransport {

    WebSocketSessionTransport(Channel channel) {
        super(channel);
    }

    @Override
    public String name() {
        return "ws";
    }

    @Override
    public void close(CloseCode code, ByteBuf disconnectFrame) {
        closeWith(channel, code, disconnectFrame);
    }
}
