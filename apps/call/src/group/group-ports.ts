/**
 * The real ports of a group call: SFU requests on the page's relay connection (owned by the
 * shell, libs/signaling) and group keys through the page's messenger (Signal-encrypted).
 */
import type { GroupKeyContent } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { Messenger } from '@parley/messenger';
import type { RelayConnection } from '@parley/signaling';
import { map } from 'rxjs';
import type { GroupKeyChannel, SfuClient } from '@parley/call-engine';

/** The SFU through the relay connection; null when the shell's connection predates group calls. */
export function relaySfuClient(relay: RelayConnection | null): SfuClient | null {
  if (!relay?.sfu || !relay.sfuEvents$) return null;
  const sfu = relay.sfu.bind(relay);
  return {
    request: (request) => sfu(request),
    events$: relay.sfuEvents$,
    connected$: relay.status.pipe(map((status) => status === 'open')),
  };
}

/** Group keys out through the messenger, in from the bus the relay client publishes decrypted content on. */
export function messengerGroupKeyChannel(bus: EventBus, messenger: Pick<Messenger, 'sendContent'> | null): GroupKeyChannel {
  return {
    async send(toUserId: string, content: GroupKeyContent) {
      if (!messenger) throw new Error('no messenger on this page');
      await messenger.sendContent(toUserId, content);
    },
    incoming$: bus.on('content.group-key').pipe(map((delivered) => ({ from: delivered.from, content: delivered.content }))),
  };
}
