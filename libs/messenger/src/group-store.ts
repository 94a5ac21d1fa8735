import type { GroupMember } from './messenger-api.js';

/** A group chat as this device keeps it. Groups live on the clients (Signal's design): the server knows none. */
export interface GroupRecord {
  readonly groupId: string;
  readonly name: string;
  /** Every member, this user included while a member. */
  readonly members: readonly GroupMember[];
  /** False once this user was removed. */
  readonly active: boolean;
  /** Sender's clock of the update this record reflects, ms: older updates are ignored. */
  readonly updatedAt: number;
  /** This device's current sender key distribution id for the group; a new one after a removal. */
  readonly distributionId: string;
  /** Devices (`userId.deviceId`) that have this device's current sender key. */
  readonly distributedTo: readonly string[];
}

/**
 * Where group chats are kept. The shell implements it in IndexedDB; the messages of a
 * group go to the {@link HistoryStore} like any others (conversation id = group id).
 */
export interface GroupStore {
  getGroup(groupId: string): Promise<GroupRecord | undefined>;
  putGroup(group: GroupRecord): Promise<void>;
  listGroups(): Promise<readonly GroupRecord[]>;
}

/** A {@link GroupStore} in memory: for tests and for a session that keeps nothing. */
export class InMemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, GroupRecord>();

  async getGroup(groupId: string): Promise<GroupRecord | undefined> {
    return this.groups.get(groupId);
  }

  async putGroup(group: GroupRecord): Promise<void> {
    this.groups.set(group.groupId, group);
  }

  async listGroups(): Promise<readonly GroupRecord[]> {
    return [...this.groups.values()];
  }
}

/** A group's member user ids (this user included while a member), or undefined when the id is not a group. */
export function groupMemberIds(groups: GroupStore): (conversationId: string) => Promise<readonly string[] | undefined> {
  return async (conversationId) => (await groups.getGroup(conversationId))?.members.map((m) => m.userId);
}
