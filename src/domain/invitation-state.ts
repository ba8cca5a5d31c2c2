// The states of an invitation as the console shows them: waiting to be sent, sent, failed to send
// (the SMTP server refused it), connected (the person connected since), expired (every reminder
// went and the last is older than the organisation's interval).
export const INVITATION_STATES = ['waiting', 'sent', 'failed', 'connected', 'expired'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];
