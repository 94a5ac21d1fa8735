/**
 * When the ringtone starts after the incoming screen shows, and how long its audio context lives
 * after it stops: an AudioContext made or closed while Accept opens the microphone and camera
 * slowed opening them by ~15 ms here, so neither happens on that path. 150 ms of silence before a
 * ring is not noticeable.
 */
export const RINGTONE_DELAY_MS = 150;
export const RINGTONE_CLOSE_DELAY_MS = 2_000;

/** The incoming-call ringtone: a WebAudio oscillator, 1 s of two alternating tones every 3 s. */
export function startRingtone(): () => void {
  const Context = globalThis.AudioContext;
  if (!Context) return () => {};
  let stopRinging: (() => void) | null = null;
  const start = setTimeout(() => {
    const context = new Context();
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    const oscillator = context.createOscillator();
    oscillator.type = 'sine';
    oscillator.connect(gain);
    // Schedule the whole ringing period (the engine stops ringing after 45 s anyway).
    let t = context.currentTime + 0.05;
    for (let ring = 0; ring < 20; ring++, t += 3) {
      for (let half = 0; half < 4; half++) {
        oscillator.frequency.setValueAtTime(half % 2 === 0 ? 440 : 480, t + half * 0.25);
      }
      gain.gain.setValueAtTime(0.12, t);
      gain.gain.setValueAtTime(0, t + 1);
    }
    oscillator.start();
    stopRinging = () => {
      try {
        oscillator.stop();
      } catch {
        // already stopped
      }
      // Silent at once; the context itself goes later, off the call's set-up.
      setTimeout(() => void context.close(), RINGTONE_CLOSE_DELAY_MS);
    };
  }, RINGTONE_DELAY_MS);
  return () => {
    clearTimeout(start);
    stopRinging?.();
    stopRinging = null;
  };
}
