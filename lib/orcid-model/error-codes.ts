// ORCID's API error codes (the `error-code` of its error bodies, SPEC 7.2) that the platform's
// client acts on; the simulator answers with the same constants, so the two cannot drift apart.
export const ORCID_ERROR = {
  /** 409: the record is deprecated; its primary iD is named in the message. */
  DEPRECATED: 9007,
  /** 404: the resource (an item or a record) was not found. */
  NOT_FOUND: 9016,
  /** 409: the record is locked and cannot be edited. */
  LOCKED: 9018,
  /** 409: the client already holds an item with this external id; the message names its put code. */
  DUPLICATE_EXTERNAL_ID: 9021,
  /** 409: an element of person data is duplicated. */
  DUPLICATE_ELEMENT: 9030,
  /** 409: the record is not claimed yet (its first 10 days, except for the creating client). */
  UNCLAIMED: 9036,
  /** 409: the record is deactivated. */
  DEACTIVATED: 9044,
} as const;
