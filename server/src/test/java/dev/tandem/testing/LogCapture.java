package dev.tandem.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the server logs (every logger) while open, to assert on log lines; detaches on close. */
public final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Formatted messages so far, with any exception's text appended. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
                            + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()))
                    .toList();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
