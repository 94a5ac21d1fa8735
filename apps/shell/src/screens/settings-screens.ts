/** The settings dialog's parts, in one module so that they arrive as one lazy chunk (lazy-settings.tsx). */
export { AppearanceSettings } from './AppearanceSettings.js';
export { BetaToggle } from './BetaToggle.js';
export { CallsSettings } from './CallsSettings.js';
export { NotificationsSettings } from './NotificationsSettings.js';
export { ReleaseInfo } from './ReleaseInfo.js';
export { SettingsPanel } from './SettingsPanel.js';
