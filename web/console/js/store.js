// The console's picture of the conversations it can see, fed by the event
// stream and by reads. Pure: no DOM.
import { History } from './timeline.js';

const KEEP_EVENTS = 20;

/** Store holds conversations, their recent events and their timeline history. */
export class Store {
  constructor() {
    this.conversations = new Map();
    this.events = new Map();
    this.history = new History();
    this.listeners = new Set();
    this.pending = new Set();
    this.scheduled = false;
  }

  /** upsert applies a conversation snapshot unless an older version arrives late. */
  upsert(conv, nowMs = Date.now()) {
    if (!conv || typeof conv.id !== 'string' || conv.id === '') return false;
    const cur = this.conversations.get(conv.id);
    if (cur && Number(conv.version || 0) < Number(cur.version || 0)) return false;
    this.conversations.set(conv.id, conv);
    this.history.observe(conv, nowMs);
    this.changed(conv.id);
    return true;
  }

  /**
   * loadTimeline takes the server's whole history of a call, then folds in
   * the newest snapshot seen since, so a call first seen mid-way is drawn
   * from its start.
   */
  loadTimeline(tl, nowMs = Date.now()) {
    if (!this.history.load(tl)) return false;
    const cur = this.conversations.get(tl.conversationId);
    if (cur) this.history.observe(cur, nowMs);
    this.changed(tl.conversationId);
    return true;
  }

  /** get returns a conversation snapshot. */
  get(id) {
    return this.conversations.get(id);
  }

  /** addEvent records an event for a conversation's recent-events list. */
  addEvent(conversationId, type, data, at = Date.now()) {
    if (!conversationId) return;
    const list = this.events.get(conversationId) || [];
    list.unshift({ type, data, at });
    list.length = Math.min(list.length, KEEP_EVENTS);
    this.events.set(conversationId, list);
    this.changed(conversationId);
  }

  /** recentEvents lists a conversation's events, newest first. */
  recentEvents(conversationId) {
    return this.events.get(conversationId) || [];
  }

  /** live lists conversations that have not ended, most recently connected first. */
  live() {
    return [...this.conversations.values()].filter((c) => c.callState !== 'ended').sort(byCreatedDesc);
  }

  /** ended lists ended conversations, most recently ended first. */
  ended() {
    return [...this.conversations.values()]
      .filter((c) => c.callState === 'ended')
      .sort((a, b) => (Date.parse(b.endedAt || b.updatedAt) || 0) - (Date.parse(a.endedAt || a.updatedAt) || 0));
  }

  /** subscribe calls fn(changedIds) after changes, batched; returns an unsubscribe function. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(id) {
    this.pending.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const ids = new Set(this.pending);
      this.pending.clear();
      for (const fn of [...this.listeners]) fn(ids);
    });
  }

  /** clear forgets everything, as on sign-out. */
  clear() {
    this.conversations.clear();
    this.events.clear();
    this.history = new History();
    this.changed('*');
  }
}

function byCreatedDesc(a, b) {
  return (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0);
}

/** focusedConversation is the most recently connected call that has not ended. */
export function focusedConversation(conversations) {
  let best = null;
  for (const c of conversations) {
    if (!c || c.callState === 'ended') continue;
    if (!best || (Date.parse(c.createdAt) || 0) > (Date.parse(best.createdAt) || 0)) best = c;
  }
  return best;
}

/** conversationOf finds the conversation an event is about. */
export function conversationOf(type, data) {
  if (!data || typeof data !== 'object') return '';
  if (type.startsWith('conversation.')) return data.id || '';
  return data.conversationId || data.liveWorkItemId || (data.session && data.session.conversationId) || '';
}

/** fillTemplate puts a session id and a completion URL into the secure page URL template. */
export function fillTemplate(template, sessionId, completeUrl) {
  if (!template) return '';
  return String(template)
    .replaceAll('{sessionId}', encodeURIComponent(sessionId))
    .replaceAll('{completeUrl}', encodeURIComponent(completeUrl));
}
