/**
 * The messaging room's front door: send a message through the rules (consent, opt-outs and the abuse pause, quiet
 * hours, caps, the creepiness guard, idempotency), read whether a person may be contacted, preview a message, and
 * the contact preferences the chat writes ("stop", "you can text me again", the abuse pause and the apology).
 */
export { sendMessage, type SendAnswer } from './send.js';
export { contactState, type ContactState, messageState, previewMessage, type Preview } from './state.js';
export { MESSAGE_CHANNELS, PURPOSES, type MessageChannel, type MessagePurpose, type SendInput } from './decide.js';
export {
  CHANNELS,
  type Channel,
  type ChannelOrAll,
  channelsIn,
  contactBlock,
  EVERY_BRAND,
  liftAbusePause,
  pauseForAbuse,
  resumeMessages,
  stopMessages,
} from './preferences.js';
export { sendMail, type Mail } from './channels/email.js';
export { startOutbox, deliverDue } from './outbox.js';
export { deliverWebhook, queueWebhook, setWebhook, signWebhook, type WebhookJob, webhookJob } from './webhooks.js';
