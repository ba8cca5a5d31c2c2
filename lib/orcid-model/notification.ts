// ORCID's permission notifications (notification-permission-3.0.xsd): the item types a request
// can name (activity-type), shared by the simulator and the platform.
export const NOTIFICATION_ITEM_TYPES: ReadonlySet<string> = new Set([
  'employment',
  'education',
  'qualification',
  'invited-position',
  'distinction',
  'membership',
  'service',
  'funding',
  'work',
  'peer-review',
]);
