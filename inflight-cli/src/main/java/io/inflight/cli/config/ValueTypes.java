package io.inflight.cli.config;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What value an option takes, judged before picocli sees it, so that a wrong value is reported with the
 * key and the file (or variable) it came from, and turned into the text picocli parses.
 */
final class ValueTypes {

    private ValueTypes() {
    }

    /** The type as the configuration reference names it: boolean, integer, number, list of ..., one of .... */
    static String describe(OptionSpec o) {
        if (o.isMultiValue()) {
            return "list of " + scalarName(element(o));
        }
        return scalarName(o.type());
    }

    /** Problem with a YAML value for this option, or null when it fits. */
    static String problem(OptionSpec o, Object value) {
        if (o.isMultiValue()) {
            if (o.splitRegex().isEmpty() && value instanceof List<?> l && l.size() > 1) {
                return "takes a single value";
            }
            List<?> items = value instanceof List<?> l ? l : List.of(value);
            for (Object item : items) {
                String p = scalarProblem(element(o), item);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        return scalarProblem(o.type(), value);
    }

    /** Problem with an environment variable's text for this option, or null when it fits. */
    static String problem(OptionSpec o, String text) {
        List<String> items = o.isMultiValue() && !o.splitRegex().isEmpty()
                ? Arrays.asList(text.split(o.splitRegex())) : List.of(text);
        Class<?> type = o.isMultiValue() ? element(o) : o.type();
        for (String item : items) {
            String p = textProblem(type, item.strip());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** A fitting YAML value as the text picocli converts. */
    static String text(OptionSpec o, Object value) {
        if (value instanceof List<?> l) {
            String sep = o.splitRegex().isEmpty() ? "," : o.splitRegex().replace("\\", "");
            return l.stream().map(String::valueOf).collect(Collectors.joining(sep));
        }
        return String.valueOf(value);
    }

    private static Class<?> element(OptionSpec o) {
        Class<?>[] aux = o.auxiliaryTypes();
        return aux.length > 0 ? aux[0] : String.class;
    }

    private static String scalarName(Class<?> t) {
        if (isBoolean(t)) {
            return "boolean";
        }
        if (isInteger(t)) {
            return "integer";
        }
        if (isNumber(t)) {
            return "number";
        }
        if (t.isEnum()) {
            return "one of " + constants(t);
        }
        return "string";
    }

    /** What a value must be, as a message says it ("a whole number"), unlike {@link #scalarName}'s table word. */
    private static String wanted(Class<?> t) {
        if (isBoolean(t)) {
            return "true or false";
        }
        if (isInteger(t)) {
            return "a whole number";
        }
        String name = scalarName(t);
        return t.isEnum() ? name : "a " + name;
    }

    private static String scalarProblem(Class<?> t, Object v) {
        if (v instanceof java.util.Map || v instanceof List) {
            return "must be " + wanted(t) + ", not a " + ConfigFile.kind(v);
        }
        if (v == null) {
            return "has no value; give " + wanted(t) + " or remove the key";
        }
        if (isBoolean(t)) {
            return v instanceof Boolean ? null : "must be true or false, not " + ConfigFile.kind(v) + " '" + v + "'";
        }
        if (isInteger(t)) {
            return v instanceof Integer || v instanceof Long || v instanceof BigInteger ? null
                    : "must be a whole number, not " + ConfigFile.kind(v) + " '" + v + "'";
        }
        if (isNumber(t)) {
            return v instanceof Number ? null : "must be a number, not " + ConfigFile.kind(v) + " '" + v + "'";
        }
        if (v instanceof Boolean) {
            return "must be " + wanted(t) + ", not the boolean " + v;
        }
        return textProblem(t, String.valueOf(v));
    }

    private static String textProblem(Class<?> t, String s) {
        if (isBoolean(t)) {
            return s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false") ? null
                    : "must be true or false, not '" + s + "'";
        }
        if (isInteger(t)) {
            try {
                new BigInteger(s);
                return null;
            } catch (NumberFormatException e) {
                return "must be a whole number, not '" + s + "'";
            }
        }
        if (isNumber(t)) {
            try {
                Double.parseDouble(s);
                return null;
            } catch (NumberFormatException e) {
                return "must be a number, not '" + s + "'";
            }
        }
        if (t.isEnum()) {
            boolean known = Arrays.stream(t.getEnumConstants()).anyMatch(c -> c.toString().equalsIgnoreCase(s));
            return known ? null : "must be one of " + constants(t) + ", not '" + s + "'";
        }
        return null;
    }

    private static String constants(Class<?> t) {
        return Arrays.stream(t.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining("|"));
    }

    private static boolean isBoolean(Class<?> t) {
        return t == boolean.class || t == Boolean.class;
    }

    private static boolean isInteger(Class<?> t) {
        return t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class
                || t == Short.class || t == BigInteger.class;
    }

    private static boolean isNumber(Class<?> t) {
        return t == double.class || t == Double.class || t == float.class || t == Float.class;
    }
}
