/** The part of `pg.Client` provisioning needs: one connection to one database. */
export interface ProvisionClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  end(): Promise<void>;
}

/**
 * Opens an admin connection: to the admin URL's own database when `database` is undefined, else to that
 * database on the same server with the same login.
 */
export type ConnectAdmin = (database?: string) => Promise<ProvisionClient>;

/** Where progress goes. Messages never hold a password, a verifier or a URL's password. */
export interface ProvisionLogger {
  info(message: string): void;
  warn(message: string): void;
}

export type StepStatus = 'created' | 'updated' | 'unchanged';

/** One thing provisioning looked at, e.g. `role appuser`, and whether it had to change it. */
export interface ProvisionStep {
  subject: string;
  status: StepStatus;
  /** What was wrong before, or what was done, when not unchanged. */
  detail?: string;
}

export interface ProvisionReport {
  steps: ProvisionStep[];
  /** False when everything was already in place: the run changed nothing. */
  changed: boolean;
}

export function formatStep(step: ProvisionStep): string {
  return `${step.subject}: ${step.status}${step.detail ? ` (${step.detail})` : ''}`;
}

export const consoleLogger: ProvisionLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
};
