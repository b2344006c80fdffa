/**
 * The one state a pooled connection is in, and the legal moves between states. Every state change in the
 * pool goes through {@link moveTo}, so an illegal move (say, handing out a connection that is being closed)
 * fails loudly instead of corrupting the pool.
 *
 * - `opening`: connected, the session SET may still be running; not yet offered.
 * - `idle`: open, in the pool, free to hand out.
 * - `reserved`: taken for a checkout that is not finished yet (handed to a waiter, or being pre-pinged).
 * - `in-use`: lent to a caller.
 * - `resetting`: returned; a ROLLBACK of the caller's unfinished transaction is running.
 * - `retiring`: being closed; no longer counted in the pool.
 * - `closed`: gone.
 */
export type EntryState = 'opening' | 'idle' | 'reserved' | 'in-use' | 'resetting' | 'retiring' | 'closed';

const LEGAL: Record<EntryState, readonly EntryState[]> = {
  opening: ['idle', 'reserved', 'retiring'],
  idle: ['reserved', 'retiring'],
  // Back to the pool, or on to the next waiter, when its caller gave up while it was being pinged.
  reserved: ['in-use', 'idle', 'reserved', 'retiring'],
  'in-use': ['resetting', 'idle', 'reserved', 'retiring'],
  resetting: ['idle', 'reserved', 'retiring'],
  retiring: ['closed'],
  closed: [],
};

/** The states in which a connection counts as checked out (lent, or on its way to or from a caller). */
export function isCheckedOut(state: EntryState): boolean {
  return state === 'reserved' || state === 'in-use' || state === 'resetting';
}

/** One bit per state, and per state the bits of the states it may move to: a move check is one AND. */
const BIT: Record<EntryState, number> = { opening: 1, idle: 2, reserved: 4, 'in-use': 8, resetting: 16, retiring: 32, closed: 64 };
const LEGAL_MASK = Object.fromEntries(
  Object.entries(LEGAL).map(([from, tos]) => [from, tos.reduce((mask, to) => mask | BIT[to], 0)]),
) as Record<EntryState, number>;

/**
 * Returns `to` when the move is legal.
 * @throws Error on an illegal move: a bug in the pool, never a user error.
 */
export function moveTo(from: EntryState, to: EntryState): EntryState {
  if ((LEGAL_MASK[from] & BIT[to]) === 0) throw new Error(`sqlwright pool: illegal connection state change ${from} -> ${to}`);
  return to;
}
