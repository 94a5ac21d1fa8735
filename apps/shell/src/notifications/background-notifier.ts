/**
 * Wires the page's notifications: call states from the bus and the messenger's conversations into
 * {@link BackgroundAlerts}, the unread count onto the tab, and a notification's click back into the
 * app (focus the tab; a message opens its conversation; a ringing call is on screen already).
 */
import type { CallPresentationMode, CallState, GroupRing } from '@parley/contracts';
import type { ConversationSummary } from '@parley/messenger';
import { type Observable, Subscription } from 'rxjs';
import { type AlertEnvironment, BackgroundAlerts, type NotificationTarget, unreadTotal } from './background-alerts.js';

/** Everything the notifier listens to and acts on; the browser's in use-background-notifications.ts. */
export interface NotifierPorts {
  readonly callState$: Observable<CallState>;
  /** Group calls ringing this user (never one of their own). */
  readonly groupRings$: Observable<{ readonly callId: string; readonly ring: GroupRing }>;
  readonly presentation$: Observable<CallPresentationMode>;
  readonly conversations$: Observable<readonly ConversationSummary[]>;
  readonly alerts: AlertEnvironment;
  /** The tab's title and icon. */
  readonly badge: { show(unread: number): void };
  /** Subscribes to notification clicks; returns the unsubscribe. */
  readonly clicks: (onClick: (target: NotificationTarget) => void) => () => void;
  /** Brings the tab forward (the worker could not, or the click came while it was in front). */
  readonly focusPage: () => void;
  readonly openConversation: (conversationId: string) => void;
}

/** Starts the notifications; the returned function stops them and closes those still shown (sign-out, another tab took over). */
export function startBackgroundNotifier(ports: NotifierPorts): () => void {
  const alerts = new BackgroundAlerts(ports.alerts);
  const subscription = new Subscription();
  subscription.add(ports.callState$.subscribe((state) => alerts.onCallState(state)));
  subscription.add(ports.groupRings$.subscribe(({ callId, ring }) => alerts.onGroupRing(callId, ring)));
  subscription.add(ports.presentation$.subscribe((mode) => alerts.onPresentation(mode)));
  subscription.add(
    ports.conversations$.subscribe((conversations) => {
      alerts.onConversations(conversations);
      ports.badge.show(unreadTotal(conversations));
    }),
  );
  subscription.add(
    ports.clicks((target) => {
      ports.focusPage();
      // A call's notification needs nothing more: its ringing screen stays up while it rings.
      if (target.kind === 'conversation') ports.openConversation(target.conversationId);
    }),
  );
  return () => {
    subscription.unsubscribe();
    alerts.closeAll();
  };
}
