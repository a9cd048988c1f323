package dev.fmnist.explainer.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the Grafana PostgreSQL macros and dashboard variables that our dashboards use into plain
 * SQL, the way Grafana's PostgreSQL data source does before it sends a query, so that the dashboard
 * queries can be run with JDBC in tests. Anything it does not know is an error, not left in the SQL.
 */
public final class GrafanaMacros {
    /** The dashboard's time range and the interval Grafana would pick for it. */
    public record Range(Instant from, Instant to, Duration interval) {
        public Range {
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("time range from " + from + " is not before to " + to);
            }
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive: " + interval);
            }
        }
    }

    private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private GrafanaMacros() {
    }

    /**
     * {@code sql} with the macros expanded for {@code range}, then the variables {@code $name} and
     * {@code ${name}} replaced by their value in {@code variables} (already formatted as SQL, e.g.
     * {@code 'cnn','lenet'} for a multi-value variable).
     *
     * @throws IllegalArgumentException for an unknown macro or variable, a wrong number of arguments
     *                                  or unbalanced parentheses
     */
    public static String expand(String sql, Range range, Map<String, String> variables) {
        return variables(macros(sql, range), variables);
    }

    private static String macros(String sql, Range range) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        Matcher m = MACRO.matcher(sql);
        while (m.find(pos)) {
            out.append(sql, pos, m.start());
            String name = m.group(1);
            int end = m.end();
            List<String> args = null;
            if (end < sql.length() && sql.charAt(end) == '(') {
                int close = closingParenthesis(sql, end);
                args = arguments(sql.substring(end + 1, close)).stream().map(a -> macros(a, range).trim()).toList();
                end = close + 1;
            }
            out.append(expandOne(name, args, range));
            pos = end;
        }
        out.append(sql.substring(pos));
        return out.toString();
    }

    private static String expandOne(String name, List<String> args, Range range) {
        switch (name) {
            case "interval":
                noArguments(name, args);
                return format(range.interval());
            case "interval_ms":
                noArguments(name, args);
                return Long.toString(range.interval().toMillis());
            case "timeFrom":
                arity(name, args, 0);
                return literal(range.from());
            case "timeTo":
                arity(name, args, 0);
                return literal(range.to());
            case "timeFilter":
                arity(name, args, 1);
                return args.get(0) + " BETWEEN " + literal(range.from()) + " AND " + literal(range.to());
            case "timeGroup":
                arity(name, args, 2);
                return timeGroup(args.get(0), args.get(1));
            case "timeGroupAlias":
                arity(name, args, 2);
                return timeGroup(args.get(0), args.get(1)) + " AS \"time\"";
            default:
                throw new IllegalArgumentException("unknown Grafana macro $__" + name);
        }
    }

    private static String timeGroup(String column, String interval) {
        double seconds = parseDuration(unquote(interval)).toMillis() / 1000.0;
        String step = seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
        return "to_timestamp(floor(extract(epoch from " + column + ") / " + step + ") * " + step + ")";
    }

    private static String variables(String sql, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException("unknown dashboard variable $" + name);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A Grafana duration such as {@code 30s}, {@code 1m}, {@code 500ms}. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Grafana interval: '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String literal(Instant t) {
        return "'" + t.truncatedTo(ChronoUnit.MILLIS) + "'";
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
    }

    private static int closingParenthesis(String sql, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses after macro at: " + sql.substring(open));
    }

    /** Splits at top-level commas. */
    private static List<String> arguments(String inner) {
        List<String> args = new ArrayList<>();
        if (inner.isBlank()) {
            return args;
        }
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                args.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        args.add(inner.substring(start));
        return args;
    }

    private static void noArguments(String name, List<String> args) {
        if (args != null) {
            throw new IllegalArgumentException("$__" + name + " takes no parentheses");
        }
    }

    private static void arity(String name, List<String> args, int n) {
        if (args == null) {
            throw new IllegalArgumentException("$__" + name + " needs parentheses: $__" + name + "(...)");
        }
        if (args.size() != n) {
            throw new IllegalArgumentException("$__" + name + " takes " + n + " argument(s), got " + args.size()
                    + ": " + args);
        }
    }
}
