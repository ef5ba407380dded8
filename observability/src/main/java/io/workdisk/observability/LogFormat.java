package io.workdisk.observability;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/**
 * Chooses how logs look: {@code text} (the default, for people) or {@code json} (one object per line, for
 * log pipelines). The logback configuration reads WORKDISK_LOG_FORMAT; a command-line flag sets it and
 * reloads the configuration, since logging may have started before the flag was parsed.
 */
public final class LogFormat {
    public static final String PROPERTY = "WORKDISK_LOG_FORMAT";

    private LogFormat() {}

    public static void use(String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("log format must be text or json, not '" + format + "'");
        }
        System.setProperty(PROPERTY, format);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot reload the logging configuration", e);
            }
        }
    }
}
