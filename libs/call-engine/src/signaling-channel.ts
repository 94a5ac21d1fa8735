import type { CallSignalingContent } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { type Observable, filter, map } from 'rxjs';
import { type CallSignal, parseCallSignal } from '@parley/contracts';

/** Which device of which user sent a signal. */
export interface SignalOrigin {
  readonly userId: string;
  readonly deviceId: number;
}

/** One call signal to send: the call it belongs to and the message. */
export interface OutgoingCallSignal {
  readonly callId: string;
  readonly signal: CallSignal;
}

/** One call signal received, already parsed. */
export interface IncomingCallSignal extends OutgoingCallSignal {
  readonly from: SignalOrigin;
}

/**
 * How the call engine reaches the other side: `send` goes to every device of `toUserId` (the
 * messenger encrypts per device); `incoming$` brings what any device sent to this one.
 */
export interface CallSignalingChannel {
  send(toUserId: string, message: OutgoingCallSignal): Promise<void>;
  readonly incoming$: Observable<IncomingCallSignal>;
}

/** The part of the messenger (libs/messenger `Messenger.sendContent`) the channel needs. */
export interface CallContentSender {
  sendContent(toUserId: string, content: CallSignalingContent): Promise<void>;
}

/**
 * The real channel: sends through the messenger (Signal-encrypted, over the one relay connection)
 * and receives the decrypted `call-signaling` content the messenger routes to the bus. Without a
 * messenger (the shell's development identity) `send` delivers nowhere and resolves: the call
 * rings out locally, which is what the foundation flows need.
 */
export function createMessengerSignalingChannel(bus: EventBus, sender: CallContentSender | null): CallSignalingChannel {
  return {
    async send(toUserId, { callId, signal }) {
      if (!sender) return;
      await sender.sendContent(toUserId, { type: 'call-signaling', callId, signal });
    },
    incoming$: bus.on('content.call-signaling').pipe(
      map((delivered) => {
        const signal = parseCallSignal(delivered.content.signal);
        return signal ? { from: delivered.from, callId: delivered.content.callId, signal } : null;
      }),
      filter((incoming): incoming is IncomingCallSignal => incoming !== null),
    ),
  };
}
