// ORCID's API error catalogue (SPEC 7.2) and the error body in JSON or XML (SPEC 7.1).

import { escapeXml } from '../../../lib/orcid-model/codec.js';
import { ORCID_ERROR } from '../../../lib/orcid-model/error-codes.js';

export const MORE_INFO = 'https://members.orcid.org/api/resources/troubleshooting';

interface Entry {
  status: number;
  developer: string;
  user: string;
}

const C: Record<number, Entry> = {
  9001: {
    status: 400,
    developer: '400 Bad Request: There is an issue with your data or the API endpoint.',
    user: 'There was an error in the request.',
  },
  9004: {
    status: 403,
    developer: '403 Forbidden: Insufficient or wrong scope.',
    user: 'Insufficient or wrong scope.',
  },
  9006: {
    status: 400,
    developer: '400 Bad Request: The client application sent a bad request to ORCID.',
    user: 'The client application sent a bad request to ORCID.',
  },
  [ORCID_ERROR.DEPRECATED]: {
    status: 409,
    developer: '409 Conflict: This account is deprecated. Please refer to account: ${primary}.',
    user: 'This account is deprecated. Please refer to account: ${primary}.',
  },
  9008: {
    status: 500,
    developer: '500 Internal Server Error: Something went wrong in ORCID.',
    user: 'Something went wrong in ORCID.',
  },
  9009: {
    status: 403,
    developer: '403 Forbidden: The notification has already been read.',
    user: 'The client application tried to archive a message that has already been read.',
  },
  9010: {
    status: 403,
    developer:
      '403 Forbidden: You are not the source of the ${activity}, so you are not allowed to update it.',
    user: 'You are not the source of the ${activity}, so you are not allowed to update it.',
  },
  9011: {
    status: 404,
    developer: '404 Not Found: The ORCID record or item was not found.',
    user: 'The ORCID record or item was not found.',
  },
  9012: {
    status: 400,
    developer: '400 Bad Request: There was a bad request to the ORCID API.',
    user: 'There was a bad request to the ORCID API.',
  },
  9013: {
    status: 403,
    developer: '403 Forbidden: The item is private and you are not the source.',
    user: 'The item is private and you are not the source.',
  },
  9014: {
    status: 403,
    developer: '403 Forbidden: The client application is forbidden to perform the action.',
    user: 'The client application is forbidden to perform the action.',
  },
  [ORCID_ERROR.NOT_FOUND]: {
    status: 404,
    developer: '404 Not Found: The resource was not found.',
    user: 'The resource was not found.',
  },
  9017: {
    status: 401,
    developer: '401 Unauthorized: The client application is not authorized for this ORCID record.',
    user: 'The client application is not authorized.',
  },
  [ORCID_ERROR.LOCKED]: {
    status: 409,
    developer: '409 Conflict: The ORCID record is locked and cannot be edited. ORCID ${orcid}',
    user: 'The ORCID record is locked.',
  },
  9019: {
    status: 400,
    developer:
      '400 Bad Request: The put code in the URL was ${urlPutCode} whereas the one in the body was ${bodyPutCode}.',
    user: 'There was an error in the request.',
  },
  9020: {
    status: 400,
    developer: '400 Bad Request: Invalid incoming message.',
    user: 'Invalid incoming message.',
  },
  [ORCID_ERROR.DUPLICATE_EXTERNAL_ID]: {
    status: 409,
    developer:
      '409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code ${putCode}. If you are trying to edit the item, please use PUT instead of POST.',
    user: 'There is a duplicated activity.',
  },
  9022: { status: 400, developer: '400 Bad Request: Title is required.', user: 'Title is required.' },
  9023: {
    status: 400,
    developer: '400 Bad Request: Invalid external-id ${list}.',
    user: 'Invalid external identifier.',
  },
  9024: {
    status: 400,
    developer:
      '400 Bad Request: Put-code is included when not expected. When posting new activities, the put code should be omitted.',
    user: 'Put-code is included when not expected.',
  },
  9025: {
    status: 409,
    developer: '409 Conflict: A group id record with the group id ${groupId} already exists.',
    user: 'The group id record already exists.',
  },
  9026: {
    status: 400,
    developer: '400 Bad Request: The group id record does not exist.',
    user: 'The group id record does not exist.',
  },
  9028: {
    status: 404,
    developer: '404 Not Found: No webhook found for orcid=${orcid}, and uri=${uri}.',
    user: 'The webhook was not found.',
  },
  [ORCID_ERROR.DUPLICATE_ELEMENT]: {
    status: 409,
    developer: "409 Conflict: The element '${value}' of type '${type}' is duplicated.",
    user: 'The element is duplicated.',
  },
  9029: {
    status: 404,
    developer: '404 Not Found: Could not find notification with id: ${id} for ORCID: ${orcid}',
    user: 'The resource was not found.',
  },
  9032: {
    status: 409,
    developer: "409 Conflict: The user ${orcid} don't allow notifications",
    user: "The user ${orcid} don't allow notifications",
  },
  9034: {
    status: 400,
    developer: '400 Bad Request: The put code ${putCode} is not valid.',
    user: 'The put code is not valid.',
  },
  9035: {
    status: 403,
    developer: '403 Forbidden: The visibility of an item can not be changed by a client application.',
    user: 'The visibility of an item can not be changed.',
  },
  9037: {
    status: 400,
    developer: '400 Bad Request: Invalid ${type}, valid values are: ${values}.',
    user: 'Invalid value.',
  },
  9038: {
    status: 403,
    developer:
      "403 Forbidden: The item has a limited or private visibility and your request doesn't have the required scope.",
    user: 'The item is not accessible with the given scope.',
  },
  9039: {
    status: 403,
    developer: '403 Forbidden: The item is not public and cannot be accessed with the Public API.',
    user: 'The item is not public.',
  },
  9040: {
    status: 409,
    developer: "409 Conflict: The item can't be deleted.",
    user: "The item can't be deleted.",
  },
  9041: { status: 404, developer: '404 Not Found: There is no biography.', user: 'There is no biography.' },
  9042: {
    status: 400,
    developer: '400 Bad Request: You can only request up to 100 put codes at once.',
    user: 'Too many put codes.',
  },
  9043: {
    status: 400,
    developer: '400 Bad Request: The start parameter must be between 0 and 10000.',
    user: 'Invalid start parameter.',
  },
  [ORCID_ERROR.DEACTIVATED]: {
    status: 409,
    developer: '409 Conflict: The ORCID record is deactivated and cannot be edited.',
    user: 'The ORCID record is deactivated.',
  },
  9045: {
    status: 400,
    developer: '400 Bad Request: Disambiguated organization must be present and valid.',
    user: 'Invalid disambiguated organization.',
  },
  9046: {
    status: 400,
    developer: '400 Bad Request: Organization must be present and valid.',
    user: 'Invalid organization.',
  },
  9047: { status: 400, developer: '400 Bad Request: Invalid JSON.', user: 'Invalid JSON.' },
  9048: {
    status: 409,
    developer: '409 Conflict: This record has reached the maximum of 10000 items of this type.',
    user: 'Maximum number of items reached.',
  },
  9049: { status: 400, developer: '400 Bad Request: Invalid date.', user: 'Invalid date.' },
  9050: {
    status: 400,
    developer: '400 Bad Request: A start date is required when an end date is given.',
    user: 'Missing start date.',
  },
  9051: { status: 400, developer: '400 Bad Request: Invalid enum value.', user: 'Invalid value.' },
  9053: { status: 400, developer: '400 Bad Request: Invalid ISSN.', user: 'Invalid ISSN.' },
  9054: { status: 400, developer: '400 Bad Request: Invalid funding amount.', user: 'Invalid amount.' },
  9055: {
    status: 400,
    developer: '400 Bad Request: The end date cannot be before the start date.',
    user: 'End date before start date.',
  },
  9058: {
    status: 400,
    developer: '400 Bad Request: Invalid contributor role.',
    user: 'Invalid contributor role.',
  },
  9060: {
    status: 400,
    developer: '400 Bad Request: City and country are required for this organization.',
    user: 'City and country are required.',
  },
  9061: {
    status: 400,
    developer: '400 Bad Request: A country is required when a city or region is given.',
    user: 'Country is required.',
  },
  9062: {
    status: 400,
    developer:
      '400 Bad Request: The organization needs a disambiguated identifier or an external identifier.',
    user: 'Organization identifier required.',
  },
};

export class OrcidApiError extends Error {
  readonly status: number;
  readonly body: {
    'response-code': number;
    'developer-message': string;
    'user-message': string;
    'error-code': number;
    'more-info': string;
  };
  /** Extra headers, e.g. Location for a deprecated record. */
  headers: Record<string, string> = {};

  constructor(code: number, params: Record<string, string | number> = {}, detail?: string, status?: number) {
    const entry = C[code] ?? C[9008]!;
    const fill = (s: string): string => s.replace(/\$\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
    const dev = fill(entry.developer) + (detail ? ` Full validation error: ${detail}` : '');
    super(dev);
    this.status = status ?? entry.status;
    this.body = {
      'response-code': this.status,
      'developer-message': dev,
      'user-message': fill(entry.user),
      'error-code': code,
      'more-info': MORE_INFO,
    };
  }
}

/** Errors raised by the security layer: JSON, without the ORCID error envelope (SPEC 7.3). */
export class OAuthStyleError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.error_description ?? body.error);
  }
}

export function invalidToken(token: string): OAuthStyleError {
  return new OAuthStyleError(401, {
    error: 'invalid_token',
    error_description: `Invalid access token: ${token}`,
  });
}

export function errorXml(body: OrcidApiError['body']): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<error:error xmlns:error="http://www.orcid.org/ns/error">' +
    `<error:response-code>${body['response-code']}</error:response-code>` +
    `<error:developer-message>${escapeXml(body['developer-message'])}</error:developer-message>` +
    `<error:user-message>${escapeXml(body['user-message'])}</error:user-message>` +
    `<error:error-code>${body['error-code']}</error:error-code>` +
    `<error:more-info>${escapeXml(body['more-info'])}</error:more-info>` +
    '</error:error>'
  );
}
