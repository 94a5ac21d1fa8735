/**
 * Issue 21: a browser that signs out, or is removed by another device of its account, keeps
 * nothing of the account — no key, no token, no message text in IndexedDB or localStorage — and
 * shows onboarding again. What the browser holds is read from inside the page, the way any script
 * of the origin could.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { startNodeDevice } from '../support/node-device.js';
import { expectRemovedHere, linkWithTypedCode, newPerson, onboard, openConversation, registerContact, removeLastDevice, showLinkCode, uniqueHandle } from '../support/users.js';

/** Everything the origin's IndexedDB databases and localStorage hold, as text, with counts. */
async function storedInBrowser(page: Page): Promise<{ records: number; text: string; localKeys: string[] }> {
  return page.evaluate(async () => {
    const bytes = (value: unknown): unknown =>
      value instanceof ArrayBuffer || ArrayBuffer.isView(value)
        ? Array.from(new Uint8Array(value instanceof ArrayBuffer ? value : value.buffer))
        : value;
    const dump = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => bytes(v));
    let records = 0;
    let text = '';
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        const [keys, values] = await Promise.all(
          [store.getAllKeys(), store.getAll()].map(
            (request) =>
              new Promise<unknown[]>((resolve, reject) => {
                request.onsuccess = () => resolve(request.result as unknown[]);
                request.onerror = () => reject(request.error);
              }),
          ),
        );
        records += values!.length;
        text += dump(keys) + dump(values);
      }
      db.close();
    }
    const localKeys = Object.keys(localStorage);
    for (const key of localKeys) text += `${key}=${localStorage.getItem(key)}`;
    return { records, text, localKeys };
  });
}

/** The device token this page's shell keeps (to prove it is gone, and refused, afterwards). */
async function tokenOf(page: Page): Promise<string> {
  const stored = await storedInBrowser(page);
  const token = /"token":"([A-Za-z0-9_-]{20,})"/.exec(stored.text)?.[1];
  if (!token) throw new Error('no device token found in the browser');
  return token;
}

/** An account onboarded in a page, with a text from a contact in its history. */
async function personWithHistory(browser: Parameters<typeof newPerson>[0], system: Parameters<typeof onboard>[1] & Parameters<typeof registerContact>[0], secret: string) {
  const person = await newPerson(browser);
  const handle = uniqueHandle('alice');
  await onboard(person.page, system, handle, 'Alice Liddell');
  const bobAccount = await registerContact(system, uniqueHandle('bob'), 'Bob Dylan');
  const bob = await startNodeDevice(system, bobAccount.credentials, bobAccount.store);
  const conversation = await bob.messenger.findUser(handle);
  await bob.messenger.sendText(conversation.conversationId, secret);
  await person.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).click();
  await expect(person.page.getByTestId('message-list')).toContainText(secret);
  return { ...person, handle, bob };
}

/** The browser holds nothing of the account: no record, no token, no text; localStorage only the language. */
async function expectNothingLeft(page: Page, token: string, secret: string) {
  await expect(page.getByTestId('onboarding')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
  const left = await storedInBrowser(page);
  expect(left.records).toBe(0);
  expect(left.text).not.toContain(token);
  expect(left.text).not.toContain(secret);
  expect(left.localKeys.filter((key) => key !== 'parley.locale')).toEqual([]);
}

test('sign out of this browser wipes keys, token and history, removes the device on the server, and shows onboarding', async ({ browser, system }) => {
  const secret = `sign-out secret ${Math.random().toString(36).slice(2)}`;
  const alice = await personWithHistory(browser, system, secret);
  const token = await tokenOf(alice.page);
  // The check sees what is there: the text and the token are in the browser before.
  const before = await storedInBrowser(alice.page);
  expect(before.records).toBeGreaterThan(0);
  expect(before.text).toContain(token);

  // Settings → "Sign out of this browser", confirmed by keyboard only.
  await alice.page.getByRole('button', { name: 'Settings' }).click();
  const signOut = alice.page.getByRole('button', { name: 'Sign out of this browser' });
  await signOut.focus();
  await alice.page.keyboard.press('Enter');
  const dialog = alice.page.getByRole('alertdialog', { name: 'Sign out of this browser' });
  await expect(dialog).toContainText('Sign out of this browser? Your messages on this browser will be deleted.');
  // Cancel has the focus; Escape closes without signing out.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await alice.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(signOut).toBeFocused();
  await alice.page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await alice.page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Sign out', exact: true })).toBeFocused();
  await alice.page.keyboard.press('Enter');

  await expectNothingLeft(alice.page, token, secret);
  // The server dropped the device (and, as it was the account's only one, the account): its token is refused.
  const refused = await fetch(`${system.addresses.api}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status).toBe(401);
  // A reload stays signed out.
  await alice.page.reload();
  await expect(alice.page.getByTestId('onboarding')).toBeVisible();
  alice.bob.stop();
  await alice.context.close();
});

test('a browser removed by another device of the account wipes itself and shows onboarding', async ({ browser, system }) => {
  const secret = `removal secret ${Math.random().toString(36).slice(2)}`;
  const alice = await newPerson(browser);
  const handle = uniqueHandle('alice');
  await onboard(alice.page, system, handle, 'Alice Liddell');

  // A laptop is linked to Alice's account with a code from her first browser.
  const { settings, code } = await showLinkCode(alice.page);
  const laptop = await newPerson(browser);
  await linkWithTypedCode(laptop.page, system.addresses.shell, code);
  await expect(settings.getByTestId('device')).toHaveCount(2, { timeout: 15_000 });

  // Bob writes; the laptop has the text.
  const bobAccount = await registerContact(system, uniqueHandle('bob'), 'Bob Dylan');
  const bob = await startNodeDevice(system, bobAccount.credentials, bobAccount.store);
  await bob.messenger.sendText((await bob.messenger.findUser(handle)).conversationId, secret);
  await laptop.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).click();
  await expect(laptop.page.getByTestId('message-list')).toContainText(secret);
  const token = await tokenOf(laptop.page);

  // Alice removes the laptop from her first browser.
  await removeLastDevice(settings);
  await expectRemovedHere(laptop.page);
  await expectNothingLeft(laptop.page, token, secret);
  // Alice's first browser is untouched.
  await settings.getByRole('button', { name: 'Close settings' }).click();
  await openConversation(alice.page, bobAccount.credentials.handle);
  await expect(alice.page.getByTestId('message-list')).toContainText(secret);
  bob.stop();
  for (const person of [alice, laptop]) await person.context.close();
});
