import { type DeviceDatabase, STORES } from './device-database.js';

/** What this browser needs to act as a device of an account. The token never leaves the shell. */
export interface DeviceCredentials {
  readonly userId: string;
  readonly deviceId: number;
  /** 256-bit bearer token from registration: `Authorization` header and the relay's first frame. */
  readonly token: string;
  readonly handle: string;
  readonly displayName: string;
}

const CREDENTIALS = 'credentials';

function isCredentials(value: unknown): value is DeviceCredentials {
  const c = value as Partial<DeviceCredentials> | null | undefined;
  return (
    typeof c?.userId === 'string' &&
    typeof c.deviceId === 'number' &&
    typeof c.token === 'string' &&
    typeof c.handle === 'string' &&
    typeof c.displayName === 'string'
  );
}

/** The device credentials in the device database. */
export class CredentialsStore {
  constructor(private readonly db: DeviceDatabase) {}

  /** This device's credentials, or undefined before onboarding (or after a corrupt write). */
  async load(): Promise<DeviceCredentials | undefined> {
    const value = await this.db.get<unknown>(STORES.meta, CREDENTIALS);
    return isCredentials(value) ? value : undefined;
  }

  async save(credentials: DeviceCredentials): Promise<void> {
    const { userId, deviceId, token, handle, displayName } = credentials;
    await this.db.put(STORES.meta, CREDENTIALS, { userId, deviceId, token, handle, displayName });
  }
}
