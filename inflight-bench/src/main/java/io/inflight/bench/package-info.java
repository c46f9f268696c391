/** Benchmarks run side by side with the reference tools; results go to BENCHMARKS.md. */
package io.inflight.bench;
