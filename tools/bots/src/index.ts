// @parley/bots: group-call participants run by Node (werift), for load benchmarks.
export { type ClipBrowser, type ClipSpec, DEFAULT_CLIP_SPEC, clipFiles, generateClip, loadOrGenerateClip } from './clip-generator.js';
export { FrameLoop, type FrameLoopOptions, type TimedFrame } from './frame-loop.js';
export { BotError, type BotReport, type BotServer, GroupCallBot, type GroupCallBotOptions } from './group-call-bot.js';
export { type AudioClip, ClipFormatError, type MediaClip, type VideoClip, opusPacketDurationMs, readIvf, readOggOpus, writeIvf, writeOggOpus } from './media-clip.js';
export { MediaTicker, type PacedTrack, sharedTicker } from './media-ticker.js';
export { TrackEncryptor, type TrackKeyId } from './track-encryptor.js';
