package dev.tandem.demo;

import dev.tandem.transport.HttpRouter;
import dev.tandem.transport.StaticResources;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The demo app, served in dev mode only: {@code /} is its chat room, {@code /board} its task board,
 * {@code /demo/*} their scripts and styles, and
 * {@code /sdk/*} the browser SDK (client-js/src, packaged into the jar by the build) that it imports as plain
 * ES modules, with no build step.
 */
public final class DemoApp {
    public static final String SDK_PREFIX = "/sdk/";
    public static final String DEMO_PREFIX = "/demo/";

    private DemoApp() {
    }

    public static void registerOn(HttpRouter router) {
        StaticResources demo = new StaticResources(DEMO_PREFIX, "static/demo");
        router.route(HttpMethod.GET, "/", exchange -> demo.file("index.html"))
                .route(HttpMethod.GET, "/board", exchange -> demo.file("board.html"))
                .routePrefix(HttpMethod.GET, DEMO_PREFIX, demo)
                .routePrefix(HttpMethod.GET, SDK_PREFIX, new StaticResources(SDK_PREFIX, "static/sdk"));
    }
}
