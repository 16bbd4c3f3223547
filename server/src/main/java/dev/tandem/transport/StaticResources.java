package dev.tandem.transport;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves files packaged in the jar under one classpath folder (the demo app and the browser SDK), mapping a URL
 * prefix onto it. Only plain relative names are accepted ({@code ..} and odd characters are refused), and a
 * file is read once and then answered from memory: the set of cached entries is bounded by the files the jar
 * holds, and after the first request nothing touches the disk on the event loop.
 */
public final class StaticResources implements HttpEndpoint {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json; charset=utf-8",
            "ts", "text/plain; charset=utf-8",
            "png", "image/png",
            "ico", "image/x-icon");

    private final String urlPrefix;
    private final String classpathRoot;
    private final Map<String, HttpReply> cache = new ConcurrentHashMap<>();

    /** Serves {@code urlPrefix + name} from the classpath resource {@code classpathRoot + "/" + name}. */
    public StaticResources(String urlPrefix, String classpathRoot) {
        this.urlPrefix = urlPrefix;
        this.classpathRoot = classpathRoot;
    }

    @Override
    public HttpReply handle(HttpExchange exchange) {
        return file(exchange.path().substring(urlPrefix.length()));
    }

    /** The reply for one file below the root, or a 404 error when there is no such file. */
    public HttpReply file(String name) {
        if (!SAFE_NAME.matcher(name).matches() || !TYPES.containsKey(extension(name))) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such file: " + urlPrefix + name);
        }
        HttpReply cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        HttpReply reply = read(name).orElseThrow(
                () -> new ProtocolException(ErrorCode.NOT_FOUND, "no such file: " + urlPrefix + name));
        cache.put(name, reply);
        return reply;
    }

    private Optional<HttpReply> read(String name) {
        try (InputStream in = StaticResources.class.getClassLoader().getResourceAsStream(classpathRoot + "/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(new HttpReply(HttpResponseStatus.OK, TYPES.get(extension(name)), in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }
}
