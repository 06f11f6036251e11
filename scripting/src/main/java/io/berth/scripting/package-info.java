/**
 * Operators' transition policies: JavaScript files that decide, when a container exits, is
 * OOM-killed or fails to start, whether it restarts (and after how long, and with how much memory),
 * stays stopped, or is left to its Docker restart policy.
 *
 * <p>{@link io.berth.scripting.PolicyEngine} evaluates policies in a sandbox and validates their
 * decisions; {@link io.berth.scripting.PolicyDirectory} keeps it in step with a directory of
 * {@code *.js} files and reports each load, rejection and removal as a
 * {@link io.berth.scripting.PolicyChange}. The policy contract is in {@code scripting/README.md}.
 * This module depends on neither the daemon nor the journal: the caller journals the outcomes.
 */
package io.berth.scripting;
