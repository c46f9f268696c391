/**
 * {@code inflight verify}: compares every table of source and target and says which rows are missing, extra
 * or different on the target, moving only hashes over the network until the differing keys are known.
 *
 * <p>{@link io.inflight.postgres.verify.VerifyJob} runs it; {@code TableSql} builds the per-table hash queries
 * (normalization: {@code SessionSettings}); {@code TableVerifier} compares one table (bucket hashes, then a
 * streamed merge of the differing buckets, then live re-checks); {@code VerifyStateStore} keeps progress on
 * the target so a stopped verify resumes; {@link io.inflight.postgres.verify.AppliedPosition} says how far
 * the target has caught up, to tell lag from differences.
 */
package io.inflight.postgres.verify;
