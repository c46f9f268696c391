package io.inflight.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/** {@code %mask(...)} in a logback pattern: the enclosed text passes through {@link Masking}. */
public final class MaskingConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return Masking.mask(in);
    }
}
