// `lanyard events`: the endpoints that receive an organisation's events (add prints the signing
// secret once), and the deliveries made to them.
import { Command } from '@commander-js/extra-typings';
import { EVENT_TYPES } from '../domain/events.js';
import { EndpointRefused } from '../services/events.service.js';
import { withContainer } from './cli-container.js';
import { fail, UsageError } from './cli-errors.js';

const tenantOf = async (c: Parameters<Parameters<typeof withContainer>[0]>[0], slug: string) => {
  const t = await c.repos.tenants.bySlug(slug);
  if (!t) throw new UsageError(`no organisation with slug ${slug}`);
  return t;
};

export function eventsCommand(): Command {
  const events = new Command('events').description(
    "Endpoints of the organisation's systems that receive events",
  );
  events
    .command('add')
    .description('Add an endpoint; prints its signing secret (Standard Webhooks), shown only now')
    .argument('<slug>')
    .argument('<url>')
    .option('--types <types>', `comma-separated event types (default: all): ${EVENT_TYPES.join(', ')}`)
    .option('--description <text>')
    .action(async (slug, url, o) => {
      try {
        await withContainer(async (c) => {
          const t = await tenantOf(c, slug);
          const eventTypes = (o.types ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          try {
            const e = await c.events.addEndpoint(t, { url, eventTypes, description: o.description ?? null });
            console.log(e.secret);
            console.error(
              `Endpoint ${e.id} receives ${eventTypes.length ? eventTypes.join(', ') : 'every event'} at ${e.url}. Keep the secret now: it is not shown again.`,
            );
          } catch (e) {
            if (e instanceof EndpointRefused) throw new UsageError(`refused: ${e.message}`);
            throw e;
          }
        });
      } catch (e) {
        fail(e);
      }
    });
  events
    .command('list')
    .description('List the endpoints (never their secrets)')
    .argument('<slug>')
    .action(async (slug) => {
      try {
        await withContainer(async (c) => {
          const t = await tenantOf(c, slug);
          for (const e of await c.repos.events.endpoints(t.id))
            console.log(
              [
                e.id,
                e.enabled ? 'enabled' : 'disabled',
                e.url,
                e.eventTypes.join(',') || '*',
                e.description ?? '',
              ].join('\t'),
            );
        });
      } catch (e) {
        fail(e);
      }
    });
  events
    .command('remove')
    .description('Remove an endpoint (its pending deliveries go with it)')
    .argument('<slug>')
    .argument('<id>')
    .action(async (slug, id) => {
      try {
        await withContainer(async (c) => {
          const t = await tenantOf(c, slug);
          if (!/^[0-9a-f-]{36}$/i.test(id) || !(await c.events.removeEndpoint(t.id, id)))
            throw new UsageError(`no endpoint ${id} for ${slug}`);
          console.error(`Endpoint ${id} removed.`);
        });
      } catch (e) {
        fail(e);
      }
    });
  events
    .command('deliveries')
    .description('The latest deliveries, newest first: event, status, attempts, last answer')
    .argument('<slug>')
    .option('--limit <n>', 'how many', '50')
    .action(async (slug, o) => {
      try {
        await withContainer(async (c) => {
          const t = await tenantOf(c, slug);
          const limit = Number(o.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
            throw new UsageError('--limit: 1 to 10000');
          for (const d of await c.repos.events.deliveries(t.id, limit))
            console.log(
              [
                new Date(d.created_at).toISOString(),
                d.event_type,
                d.event_id,
                d.status,
                `attempts=${d.attempts}`,
                d.last_status ?? '',
                d.last_error ?? '',
              ].join('\t'),
            );
        });
      } catch (e) {
        fail(e);
      }
    });
  return events;
}
