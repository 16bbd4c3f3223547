package dev.tandem.admin;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, read from the jar once at start (they are small) so serving them never touches the
 * disk on an event loop: our page from {@code /admin/} resources and uPlot from its WebJar, whose version is
 * read from the WebJar's own {@code pom.properties} rather than repeated here.
 */
final class StaticAssets {
    static final String PREFIX = "/admin/assets/";

    private final Map<String, HttpReply> files = new HashMap<>();
    private final HttpReply index;

    StaticAssets() {
        index = load("/admin/index.html");
        for (String name : new String[] {"admin.js", "admin.css"}) {
            files.put(name, load("/admin/" + name));
        }
        String uplot = "/META-INF/resources/webjars/uplot/" + webJarVersion("uplot") + "/dist/";
        files.put("uPlot.iife.min.js", load(uplot + "uPlot.iife.min.js"));
        files.put("uPlot.min.css", load(uplot + "uPlot.min.css"));
    }

    HttpReply index(HttpExchange exchange) {
        return index;
    }

    HttpReply asset(HttpExchange exchange) {
        HttpReply file = files.get(exchange.path().substring(PREFIX.length()));
        return file != null ? file : HttpReply.error(ErrorCode.NOT_FOUND, "no such file: " + exchange.path());
    }

    private static String webJarVersion(String artifact) {
        String path = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = StaticAssets.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("WebJar " + artifact + " is not on the classpath (" + path + ")");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpReply load(String resource) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new HttpReply(HttpResponseStatus.OK, contentType(resource), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
