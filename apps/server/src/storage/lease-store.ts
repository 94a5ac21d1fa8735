/**
 * Leases: a named thing held by one holder (a server node) until a time, so that among several
 * nodes on one database exactly one does it — owns a group call (issue 22, milestone 4), or runs
 * a periodic sweep. Generic on purpose: a name, a holder, an expiry. A holder that stops renewing
 * (it died) loses the lease once it expires, and the next `takeLease` by anyone gets it.
 *
 * Times are the nodes' wall clocks in milliseconds: nodes must keep their clocks in step (NTP);
 * a skew shortens or lengthens a lease by the skew, it never lets two hold it at one instant as
 * seen by the database, since every take compares and writes in one statement.
 */

/** A lease as stored. */
export interface Lease {
  name: string;
  holder: string;
  /** Milliseconds since the epoch; from then on anyone may take it. */
  expiresAt: number;
}

/** Named leases; every method is one atomic statement (or transaction) on every backend. */
export interface LeaseStore {
  /**
   * Takes `name` for `holder` until `expiresAt` when nobody holds it, its lease expired
   * (`expiresAt <= now` as stored), or `holder` holds it already (then it is extended). Returns
   * the lease as it stands afterwards: `holder` is the caller's when it got it, another's if not.
   */
  takeLease(name: string, holder: string, now: number, expiresAt: number): Promise<Lease>;
  /** Extends those of `names` that `holder` still holds to `expiresAt`; returns the names it still holds. */
  renewLeases(names: readonly string[], holder: string, expiresAt: number): Promise<string[]>;
  /** The lease on `name`, expired or not; undefined when nobody ever took it (or it was released). */
  lease(name: string): Promise<Lease | undefined>;
  /** Gives `name` up if `holder` holds it (someone else's lease stays). */
  releaseLease(name: string, holder: string): Promise<void>;
}
