/**
 * Group calls: who may join each one and which Janus room carries it.
 */

/** A group call as stored (ARCHITECTURE "Calls"): who may join and which Janus room carries it. */
export interface GroupCallRecord {
  /** Random and unguessable; also the name devices use on the wire. */
  callId: string;
  /** The Janus VideoRoom id (recreated with the same id after a Janus restart). */
  roomId: number;
  creator: string;
  /** Users whose devices may join, the creator included. */
  invitees: string[];
  createdAt: number;
  /**
   * Present while the host has the call locked: the users who were in it then. Nobody new joins;
   * they (and the host) may come back, e.g. after the node or the Janus running the call died.
   */
  lockedFor?: string[];
}

/** Group calls and their invitees. */
export interface GroupCallStore {
  /**
   * Stores a new call with its invitees (the creator among them); `too_many_calls`, and nothing
   * stored, when its creator already has `maxOpenByCreator` calls.
   */
  createGroupCall(call: GroupCallRecord, maxOpenByCreator?: number): Promise<'created' | 'too_many_calls'>;
  /** How many calls created by this user are still running. */
  openGroupCallsBy(userId: string): Promise<number>;
  groupCall(callId: string): Promise<GroupCallRecord | undefined>;
  /** Every call still running, e.g. to end the abandoned ones after a restart. */
  groupCalls(): Promise<GroupCallRecord[]>;
  /** Adds invitees (already invited ones are ignored); false when the call does not exist. */
  addGroupCallInvitees(callId: string, userIds: readonly string[]): Promise<boolean>;
  /** Hands out the call's next participant index, never the same twice; undefined when no such call. */
  takeGroupCallIndex(callId: string): Promise<number | undefined>;
  deleteGroupCall(callId: string): Promise<void>;
  /** The host locks the call for these users, or unlocks it (null); false when the call does not exist. */
  setGroupCallLock(callId: string, lockedFor: readonly string[] | null): Promise<boolean>;
  /** Takes a user off a call's invitees (a removal from a link's call). */
  removeGroupCallInvitee(callId: string, userId: string): Promise<void>;
}
