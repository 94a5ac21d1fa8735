/** The incoming-call ringtone: a WebAudio oscillator, 1 s of two alternating tones every 3 s. */
export function startRingtone(): () => void {
  const Context = globalThis.AudioContext;
  if (!Context) return () => {};
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
  return () => {
    try {
      oscillator.stop();
    } catch {
      // already stopped
    }
    void context.close();
  };
}
