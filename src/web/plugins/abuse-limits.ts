// Abuse limits (@fastify/rate-limit): sign-in attempts per account and per client address, API
// calls per key. Counters live in each web process's memory, so N web processes allow N times
// the limit between them. The client address is the socket's, or X-Forwarded-For's only when
// LANYARD_TRUST_PROXY says a proxy sets it (see buildApp).
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { webErrors } from '../errors.js';

export interface AbuseLimits {
  /** Sign-in attempts per account (tenant + user name) per minute. */
  signInPerAccount: number;
  /** Sign-in attempts (every method) per client address per minute. */
  signInPerAddress: number;
  /** REST API calls per key per minute. */
  apiPerKey: number;
}

export const DEFAULT_LIMITS: AbuseLimits = { signInPerAccount: 10, signInPerAddress: 30, apiPerKey: 1200 };

declare module 'fastify' {
  interface FastifyInstance {
    limits: {
      signInByAddress: preHandlerHookHandler;
      signInByAccount: preHandlerHookHandler;
      apiByKey: preHandlerHookHandler;
    };
  }
}

const hashed = (v: string) => createHash('sha256').update(v).digest('base64url');

export const abuseLimits = fp(async (app: FastifyInstance, limits: AbuseLimits) => {
  await app.register(rateLimit, { global: false });
  // Our own hook around createRateLimit: the plugin's ready-made hook runs once per request,
  // and a sign-in is counted twice (its account and its address).
  const perMinute = (max: number, keyGenerator: (req: FastifyRequest) => string): preHandlerHookHandler => {
    const check = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator });
    return async (req) => {
      const r = await check(req);
      if (r.isAllowed || !r.isExceeded) return;
      // The error handler answers it as a page or as JSON, with Retry-After.
      throw webErrors.rateLimited(Math.ceil(r.ttl / 1000));
    };
  };
  const account = (req: FastifyRequest) => {
    const body = req.body as { username?: unknown } | undefined;
    const user = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
    return `account:${(req.params as { tenant?: string }).tenant ?? ''}:${user}`;
  };
  app.decorate('limits', {
    signInByAddress: perMinute(limits.signInPerAddress, (req) => `signin:${req.ip}`),
    signInByAccount: perMinute(limits.signInPerAccount, account),
    // Keyed by the presented key (hashed), so a flood of forged keys has one bucket per address too.
    apiByKey: perMinute(limits.apiPerKey, (req) => {
      const auth = req.headers.authorization;
      return auth ? `key:${hashed(auth)}` : `anon:${req.ip}`;
    }),
  });
});
