export { type Clock, type TimerHandle, type WallClock, schedule, systemClock } from './clock.js';
