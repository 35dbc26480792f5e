package io.kgroups.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Events per second as written on a command line: 500 or 500/s; 0 means no limit. */
final class EventRateConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
        String number = value.endsWith("/s") ? value.substring(0, value.length() - 2) : value;
        try {
            double rate = Double.parseDouble(number);
            if (rate >= 0 && !Double.isInfinite(rate)) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // the message below says what to write
        }
        throw new TypeConversionException("'" + value + "' is not a number of events per second, e.g. 500 or 500/s");
    }
}
