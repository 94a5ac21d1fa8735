// @vitest-environment happy-dom
import { reactTestRoot, typeInto } from '@parley/bus-react/testing';
import type { CallLinkOpened } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import type { ScheduledCall } from '@parley/messenger';
import { exampleScheduledCall, ManualClock } from '@parley/messenger/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';
import type { ScheduleEnvironment } from './schedule-environment.js';
import { FakeMessenger } from './testing/fake-messenger.js';
import { loadOpenConversationFirst, remoteIn, ADA as ada } from './testing/chat-test-setup.js';

loadOpenConversationFirst();

const remote = remoteIn('en-US');
const MINUTE = 60_000;
/** 18:00 in Moscow, 10:00 in New York. */
const START = Date.UTC(2026, 11, 1, 15, 0);

const dom = reactTestRoot();

const flush = () =>
  act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

const q = <T extends Element = HTMLElement>(testId: string) => dom.container.querySelector<T & Element>(`[data-testid="${testId}"]`);
const all = (testId: string) => [...dom.container.querySelectorAll<HTMLElement>(`[data-testid="${testId}"]`)];
/** The schedule form is a lazy chunk (lazy-schedule-call-form.tsx): lets its import settle once opened. */
async function formShown() {
  for (let turn = 0; turn < 50 && !q('schedule-form'); turn++) await flush();
}
const button = (name: string) => [...dom.container.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name);

function environment(timeZone: string, clock: ManualClock, permission: NotificationPermission = 'default') {
  const shown: { title: string; body: string }[] = [];
  const downloads: { name: string; text: string; type: string }[] = [];
  const copied: string[] = [];
  let requests = 0;
  const env: ScheduleEnvironment = {
    clock,
    timeZone,
    linkOrigin: 'https://parley.example',
    notifications: {
      permission: () => permission,
      request: async () => {
        requests++;
        permission = 'granted';
        return permission;
      },
      show: (title, body) => shown.push({ title, body }),
    },
    download: (name, text, type) => downloads.push({ name, text, type }),
    copy: async (text) => {
      copied.push(text);
    },
  };
  return { env, shown, downloads, copied, requests: () => requests };
}

function fromAda(overrides: Partial<ScheduledCall> = {}): ScheduledCall {
  return exampleScheduledCall({
    scheduleId: 's-ada',
    conversationId: 'u-ada',
    title: 'Roadmap',
    description: 'Bring notes',
    startsAt: START,
    endsAt: START + 60 * MINUTE,
    linkSecret: 'BBBBBBBBBBBBBBBBBBBBBB',
    organizer: { userId: 'u-ada', displayName: 'Ada Lovelace' },
    ...overrides,
  });
}

async function openAda(bus: EventBus, messenger: FakeMessenger, env: ScheduleEnvironment, locale = 'en-US') {
  messenger.addUser(ada);
  act(() => dom.root.render(<ChatApp bus={bus} remote={{ ...remote, locale }} messenger={messenger} scheduleEnvironment={env} />));
  typeInto(dom.container.querySelector('input')!, 'ada');
  act(() => dom.container.querySelector('form')!.requestSubmit());
  await flush();
}

describe('scheduling a call', () => {
  it('the header’s Schedule call opens a form in the organizer’s zone; the call is created with UTC times and shows as a card', async () => {
    const messenger = new FakeMessenger();
    const clock = new ManualClock(START - 3 * 60 * MINUTE);
    const { env, requests } = environment('Europe/Moscow', clock);
    await openAda(new EventBus(), messenger, env);
    expect(q('scheduled-calls')).toBeNull();

    act(() => button('Chat options')!.click());
    act(() => button('Schedule call')!.click());
    await formShown();
    const form = q<HTMLFormElement>('schedule-form')!;
    expect(form.getAttribute('aria-labelledby')).toBeTruthy();
    expect(q('schedule-zone')!.textContent).toBe('Times are in your time zone, Europe/Moscow (GMT+3).');
    expect(form.textContent).toContain('Invited: Ada Lovelace');
    // Every field has a label.
    for (const field of form.querySelectorAll('input, textarea')) {
      const id = field.getAttribute('id');
      expect(field.closest('label') ?? form.querySelector(`label[for="${id}"]`)).not.toBeNull();
    }

    typeInto(q<HTMLInputElement>('schedule-title')!, '  Roadmap  ');
    typeInto(q<HTMLTextAreaElement>('schedule-description')!, 'Agenda: Q1');
    typeInto(q<HTMLInputElement>('schedule-start')!, '2026-12-01T18:00');
    typeInto(q<HTMLInputElement>('schedule-end')!, '2026-12-01T19:30');
    act(() => q<HTMLInputElement>('schedule-notify')!.click());
    act(() => form.requestSubmit());
    await flush();

    expect(requests()).toBe(1);
    expect(messenger.schedules.actions).toEqual(['schedule u-ada: Roadmap']);
    const [call] = await new Promise<readonly ScheduledCall[]>((resolve) => messenger.schedules.all$.subscribe(resolve));
    expect(call).toMatchObject({ title: 'Roadmap', description: 'Agenda: Q1', startsAt: START, endsAt: START + 90 * MINUTE, timeZone: 'Europe/Moscow' });
    expect(q('schedule-form')).toBeNull();
    const card = q('scheduled-call')!;
    expect(q('scheduled-call-title')!.textContent).toBe('Roadmap');
    expect(q('scheduled-call-time')!.textContent).toMatch(/^Tue, Dec 1, 2026, 06:00\sPM – 07:30\sPM · Europe\/Moscow \(GMT\+3\)$/);
    expect(card.textContent).toContain('Organized by you');
    expect(button('Edit')).toBeDefined();
  });

  it('refuses an end before the start, and says so when scheduling fails', async () => {
    const messenger = new FakeMessenger();
    const { env } = environment('Europe/Moscow', new ManualClock(START - 60 * MINUTE));
    await openAda(new EventBus(), messenger, env);
    act(() => button('Chat options')!.click());
    act(() => button('Schedule call')!.click());
    await formShown();
    typeInto(q<HTMLInputElement>('schedule-title')!, 'Roadmap');
    typeInto(q<HTMLInputElement>('schedule-start')!, '2026-12-01T18:00');
    typeInto(q<HTMLInputElement>('schedule-end')!, '2026-12-01T17:00');
    act(() => q<HTMLFormElement>('schedule-form')!.requestSubmit());
    await flush();
    expect(dom.container.querySelector('[role="alert"]')!.textContent).toBe('Give the call a title, and an end after its start (at most a day later).');
    expect(messenger.schedules.actions).toEqual([]);

    typeInto(q<HTMLInputElement>('schedule-end')!, '2026-12-01T19:00');
    messenger.schedules.failNext = true;
    act(() => q<HTMLFormElement>('schedule-form')!.requestSubmit());
    await flush();
    expect(dom.container.querySelector('[role="alert"]')!.textContent).toContain('That did not work');
    expect(q('schedule-form')).not.toBeNull();
  });
});

describe('the card an invitee sees', () => {
  it('shows the time in the viewer’s zone (and the organizer’s); Join works from 5 minutes before the start and publishes call.link-opened', async () => {
    const bus = new EventBus();
    const opened: CallLinkOpened[] = [];
    bus.on('call.link-opened').subscribe((event) => opened.push(event));
    const messenger = new FakeMessenger();
    const clock = new ManualClock(START - 60 * MINUTE);
    const { env, downloads, copied } = environment('America/New_York', clock);
    await openAda(bus, messenger, env);
    act(() => bus.set('call.available', true));
    act(() => messenger.schedules.receive(fromAda()));

    expect(q('scheduled-call-time')!.textContent).toMatch(/^Tue, Dec 1, 2026, 10:00\sAM – 11:00\sAM · America\/New York \(GMT-5\)$/);
    expect(q('scheduled-call-organizer-time')!.textContent).toMatch(/Organizer’s time: .*06:00\sPM – 07:00\sPM, Europe\/Moscow \(GMT\+3\)/);
    expect(q('scheduled-call')!.textContent).toContain('Organized by Ada Lovelace');
    expect(button('Edit')).toBeUndefined();
    expect(button('Cancel call')).toBeUndefined();

    const join = () => q<HTMLButtonElement>('scheduled-call-join')!;
    expect(join().getAttribute('aria-label')).toBe('Join “Roadmap”');
    expect(join().disabled).toBe(true);
    expect(q('scheduled-call')!.textContent).toContain('Join opens 5 minutes before the start.');
    act(() => clock.advance(55 * MINUTE - 1));
    expect(join().disabled).toBe(true);
    act(() => clock.advance(1));
    expect(join().disabled).toBe(false);
    act(() => join().click());
    expect(opened).toEqual([{ secret: 'BBBBBBBBBBBBBBBBBBBBBB' }]);

    act(() => button('Add to calendar (.ics)')!.click());
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatchObject({ name: 'Roadmap.ics', type: 'text/calendar;charset=utf-8' });
    expect(downloads[0]!.text).toContain('UID:s-ada\r\n');
    expect(downloads[0]!.text).toContain('DTSTART:20261201T150000Z\r\n');
    await act(async () => button('Copy link')!.click());
    expect(copied).toEqual(['https://parley.example/call#BBBBBBBBBBBBBBBBBBBBBB']);

    // At the end the card goes.
    act(() => clock.advance(65 * MINUTE));
    expect(q('scheduled-call')).toBeNull();
  });

  it('a new revision replaces the card; a cancelled one says so and has no Join', async () => {
    const messenger = new FakeMessenger();
    const { env } = environment('America/New_York', new ManualClock(START - 2 * MINUTE));
    await openAda(new EventBus(), messenger, env);
    act(() => messenger.schedules.receive(fromAda()));
    act(() => messenger.schedules.receive(fromAda({ revision: 2, title: 'Roadmap (moved)' })));
    expect(all('scheduled-call')).toHaveLength(1);
    expect(q('scheduled-call-title')!.textContent).toBe('Roadmap (moved)');
    act(() => messenger.schedules.receive(fromAda({ revision: 3, title: 'Roadmap (moved)', status: 'cancelled' })));
    expect(q('scheduled-call')!.dataset['status']).toBe('cancelled');
    expect(q('scheduled-call-cancelled')!.textContent).toContain('Cancelled');
    expect(q('scheduled-call')!.textContent).toContain('This call was cancelled.');
    expect(q('scheduled-call-join')).toBeNull();
  });

  it('speaks Russian', async () => {
    const messenger = new FakeMessenger();
    const { env } = environment('Europe/Moscow', new ManualClock(START - 60 * MINUTE));
    await openAda(new EventBus(), messenger, env, 'ru-RU');
    act(() => button('Действия с чатом')!.click());
    expect(button('Запланировать звонок')).toBeDefined();
    act(() => messenger.schedules.receive(fromAda()));
    expect(q('scheduled-call')!.textContent).toContain('Организатор: Ada Lovelace');
    expect(q('scheduled-call-time')!.textContent).toContain('18:00 – 19:00');
    expect(button('Добавить в календарь (.ics)')).toBeDefined();
    expect(q('scheduled-call-join')!.getAttribute('aria-label')).toBe('Присоединиться к звонку «Roadmap»');
  });
});

describe('the organizer', () => {
  it('edits (the form starts from the call) and cancels after confirming', async () => {
    const messenger = new FakeMessenger();
    const { env } = environment('Europe/Moscow', new ManualClock(START - 60 * MINUTE));
    await openAda(new EventBus(), messenger, env);
    await act(async () => {
      await messenger.schedules.schedule('u-ada', { title: 'Roadmap', description: '', startsAt: START, endsAt: START + 60 * MINUTE, timeZone: 'Europe/Moscow' });
    });

    act(() => button('Edit')!.click());
    await formShown();
    expect(q<HTMLInputElement>('schedule-title')!.value).toBe('Roadmap');
    expect(q<HTMLInputElement>('schedule-start')!.value).toBe('2026-12-01T18:00');
    typeInto(q<HTMLInputElement>('schedule-title')!, 'Roadmap v2');
    act(() => q<HTMLFormElement>('schedule-form')!.requestSubmit());
    await flush();
    expect(messenger.schedules.actions.at(-1)).toBe('edit s-1: Roadmap v2');
    expect(q('scheduled-call')!.dataset['revision']).toBe('2');

    act(() => button('Cancel call')!.click());
    expect(dom.container.querySelector('[role="group"]')!.getAttribute('aria-label')).toBe('Cancel this call for everyone invited?');
    act(() => button('Keep it')!.click());
    expect(messenger.schedules.actions.at(-1)).toBe('edit s-1: Roadmap v2');
    act(() => button('Cancel call')!.click());
    act(() => button('Yes, cancel it')!.click());
    await flush();
    expect(messenger.schedules.actions.at(-1)).toBe('cancel s-1');
    expect(q('scheduled-call')!.dataset['status']).toBe('cancelled');
    expect(button('Edit')).toBeUndefined();
  });

  it('in a group, invites the other members', async () => {
    const messenger = new FakeMessenger();
    messenger.addUser(ada);
    messenger.addUser({ userId: 'u-bob', handle: 'bob', displayName: 'Bob' });
    const { env } = environment('Europe/Moscow', new ManualClock(START - 60 * MINUTE));
    act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote} messenger={messenger} scheduleEnvironment={env} />));
    const group = await act(async () => messenger.createGroup('Climbers', ['ada', 'bob']));
    act(() => dom.container.querySelector<HTMLButtonElement>('[data-testid="conversation-item"]')!.click());
    act(() => button('Chat options')!.click());
    act(() => button('Schedule call')!.click());
    await formShown();
    expect(q('schedule-form')!.textContent).toContain('Invited: Ada Lovelace, Bob');
    typeInto(q<HTMLInputElement>('schedule-title')!, 'Climb');
    act(() => q<HTMLFormElement>('schedule-form')!.requestSubmit());
    await flush();
    expect(messenger.schedules.actions).toEqual([`schedule ${group.conversationId}: Climb`]);
  });
});

describe('the reminder at the start', () => {
  it('fires at the start on the injected clock: visible with the title and Join, and as a system notification when allowed', async () => {
    const bus = new EventBus();
    const opened: CallLinkOpened[] = [];
    bus.on('call.link-opened').subscribe((event) => opened.push(event));
    const messenger = new FakeMessenger();
    const clock = new ManualClock(START - 10 * MINUTE);
    const { env, shown } = environment('America/New_York', clock, 'granted');
    act(() => dom.root.render(<ChatApp bus={bus} remote={remote} messenger={messenger} scheduleEnvironment={env} />));
    act(() => bus.set('call.available', true));
    act(() => messenger.schedules.receive(fromAda()));

    act(() => clock.advance(10 * MINUTE - 1));
    expect(q('call-reminder')).toBeNull();
    expect(shown).toEqual([]);
    act(() => clock.advance(1));
    const reminder = q('call-reminder')!;
    expect(reminder.getAttribute('role')).toBe('alert');
    expect(reminder.textContent).toContain('“Roadmap” starts now.');
    expect(shown).toEqual([{ title: 'Roadmap', body: 'The scheduled call starts now. Open Parley to join.' }]);
    act(() => q<HTMLButtonElement>('call-reminder-join')!.click());
    expect(opened).toEqual([{ secret: 'BBBBBBBBBBBBBBBBBBBBBB' }]);
    act(() => q<HTMLButtonElement>('call-reminder-dismiss')!.click());
    expect(q('call-reminder')).toBeNull();
  });

  it('shows no system notification without permission, and drops the reminder when the call is cancelled', async () => {
    const messenger = new FakeMessenger();
    const clock = new ManualClock(START - MINUTE);
    const { env, shown } = environment('America/New_York', clock, 'default');
    act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote} messenger={messenger} scheduleEnvironment={env} />));
    act(() => messenger.schedules.receive(fromAda()));
    act(() => clock.advance(MINUTE));
    expect(q('call-reminder')).not.toBeNull();
    expect(shown).toEqual([]);
    act(() => messenger.schedules.receive(fromAda({ revision: 2, status: 'cancelled' })));
    expect(q('call-reminder')).toBeNull();
  });
});
