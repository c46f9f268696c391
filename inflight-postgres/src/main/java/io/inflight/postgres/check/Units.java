package io.inflight.postgres.check;

import java.time.Duration;
import java.util.Locale;

/** Human forms of sizes and durations for findings. */
final class Units {

    private Units() {
    }

    static String bytes(double bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        double v = bytes;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f %s", v, units[u])
                : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return "under a second";
        }
        if (s < 120) {
            return s + " s";
        }
        if (s < 2 * 3600) {
            return (s + 30) / 60 + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }
}
