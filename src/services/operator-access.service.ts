// Who operates the installation: the addresses LANYARD_OPERATORS names and those `lanyard
// operator grant` added. Operators are not organisation administrators: they sign in through the
// operator's own sign-in (OIDC, or a password in the demo), by e-mail address.
import { hashPassword, verifyPassword } from '../crypto/password.js';
import type { Operator, OperatorRepository } from '../db/operator.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';

const DUMMY_HASH = 'scrypt:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export class OperatorAccessService {
  constructor(
    private readonly operators: OperatorRepository,
    private readonly configured: readonly string[],
    private readonly log: PortalLogRepository,
  ) {}

  async isOperator(email: string): Promise<boolean> {
    const e = email.trim().toLowerCase();
    return this.configured.includes(e) || this.operators.isOperator(e);
  }

  /** The demo's operator password (no other operator has one); same work for a wrong address. */
  async verifyPassword(email: string, password: string): Promise<boolean> {
    const stored = await this.operators.passwordHash(email.trim());
    const ok = await verifyPassword(password, stored ?? DUMMY_HASH);
    return ok && stored !== null;
  }

  async grant(email: string, actor: string, demoPassword?: string): Promise<void> {
    const e = email.trim().toLowerCase();
    await this.operators.grant(e, actor, demoPassword ? await hashPassword(demoPassword) : null);
    await this.log.audit({ tenantId: null, actor, action: 'operator.granted', subject: e });
  }

  async revoke(email: string, actor: string): Promise<boolean> {
    const e = email.trim().toLowerCase();
    const revoked = await this.operators.revoke(e);
    if (revoked) await this.log.audit({ tenantId: null, actor, action: 'operator.revoked', subject: e });
    return revoked;
  }

  /** Granted operators, then those the configuration names (not revocable here). */
  async list(): Promise<
    Array<Operator | { email: string; granted_by: 'LANYARD_OPERATORS'; granted_at: null }>
  > {
    const granted = await this.operators.list();
    return [
      ...granted,
      ...this.configured.map((email) => ({
        email,
        granted_by: 'LANYARD_OPERATORS' as const,
        granted_at: null,
      })),
    ];
  }
}
