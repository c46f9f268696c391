package io.inflight.cli.logging;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logback's configuration for the command line, in code: parsing a {@code logback.xml} took 150-300 ms of every
 * start, before a stream could even connect. Found by logback through {@code META-INF/services}.
 *
 * <p>Human-readable lines on standard error (standard output carries results, such as the JSON of a clone). Every
 * line, stack traces included, goes through {@code %mask} ({@link MaskingConverter}), which blanks anything that
 * looks like a password. {@code io.inflight} logs at INFO (the verbose and quiet options move it, see
 * {@link Logging}), libraries at WARN.
 *
 * <p>A logback file given on the class path or with {@code -Dlogback.configurationFile} (a program embedding the
 * jar, another module's tests) still rules: then this steps aside.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%mask(%d{HH:mm:ss} %-5level %msg%n%ex)";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (configuredElsewhere()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("mask", MaskingConverter::new);
        layout.setPattern(PATTERN);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        context.getLogger("io.inflight").setLevel(Level.INFO);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static boolean configuredElsewhere() {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return true;
        }
        ClassLoader loader = LogbackSetup.class.getClassLoader();
        return loader.getResource(ClassicConstants.TEST_AUTOCONFIG_FILE) != null
                || loader.getResource(ClassicConstants.AUTOCONFIG_FILE) != null;
    }
}
