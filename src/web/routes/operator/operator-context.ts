// What the operator console's routes share: the signed-in operator (checked again on every
// request, so that a revoked operator is out at once), the page context and the refusal of
// everyone else (403 on every route, with the operator sign-in's address).
import type {} from '@fastify/session';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperatorAccessService } from '../../../services/operator-access.service.js';
import { webErrors } from '../../errors.js';
import { translator } from '../../i18n.js';
import type { OperatorContext } from '../../views/operator.js';
import { languageOf } from '../portal/portal-context.js';

declare module 'fastify' {
  interface Session {
    /** The operator signed in to /operator/ (by e-mail address), and when. */
    operator?: { email: string; at: number };
    pendingOperatorOidc?: { state: string; nonce: string; verifier: string };
  }
}

export function operatorContext(
  req: FastifyRequest,
  reply: FastifyReply,
  operator: string | null,
): OperatorContext {
  const lang = languageOf(req, reply);
  return {
    t: translator(lang),
    lang,
    path: req.url.split('?')[0] ?? '/operator/',
    csrf: reply.generateCsrf(),
    operator,
  };
}

export type OperatorHandler = (
  req: FastifyRequest,
  reply: FastifyReply,
  operator: string,
) => Promise<unknown>;

/** A route of the operator console: operators signed in through the operator sign-in only. */
export const requireOperator =
  (access: Pick<OperatorAccessService, 'isOperator'>) =>
  (handler: OperatorHandler) =>
  async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const email = req.session.operator?.email;
    if (email && (await access.isOperator(email))) return handler(req, reply, email);
    throw webErrors.operatorRequired();
  };
