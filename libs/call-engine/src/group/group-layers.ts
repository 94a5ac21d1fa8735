/**
 * Which simulcast layer of each participant's video this device receives (0 lowest … 2 highest), or
 * none (`null`: not on screen — the SFU stops forwarding it, so it costs no downlink or decoding).
 * The SFU is told only what changed, and only for participants this device is subscribed to.
 */
import { describeError, type SfuClient } from './group-call-ports.js';

export interface GroupLayersDeps {
  readonly sfu: SfuClient;
  readonly warn: (message: string) => void;
}

/** The layer wishes of one call and what the SFU was last told in the current join. */
export class GroupMediaLayers {
  private readonly wanted = new Map<number, number | null>();
  /** Undefined for a participant: nothing told yet in this join — the SFU forwards video by default. */
  private readonly told = new Map<number, number | null>();

  constructor(private readonly deps: GroupLayersDeps) {}

  /** Wants this layer (or no video) of a participant; `send` tells the SFU. */
  choose(participant: number, substream: number | null): void {
    this.wanted.set(participant, substream);
  }

  /** Tells the SFU every wish that changed, for the participants `subscribed` to in call `callId`. */
  send(callId: string, subscribed: ReadonlySet<number>): void {
    const { sfu } = this.deps;
    for (const [participant, wanted] of this.wanted) {
      if (!subscribed.has(participant)) continue;
      const told = this.told.get(participant);
      if (told === wanted) continue;
      this.told.set(participant, wanted);
      const failed = (error: unknown) => {
        this.told.delete(participant);
        this.deps.warn(`the SFU did not switch video: ${describeError(error)}`);
      };
      if (wanted === null) {
        sfu.request({ op: 'receive-video', callId, participant, receive: false }).catch(failed);
        continue;
      }
      if (told === null) sfu.request({ op: 'receive-video', callId, participant, receive: true }).catch(failed);
      sfu.request({ op: 'substream', callId, participant, substream: wanted }).catch(failed);
    }
  }

  /** A new join: the SFU knows none of our wishes yet. */
  forgetTold(): void {
    this.told.clear();
  }
}
