import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expiryFromDays, keyHolder, keyStatus } from '../js/keys.js';

// Written by internal/api's TestKeysFixtureMatchesTheServer from GET /v1/keys.
const { keys } = JSON.parse(readFileSync(new URL('./fixtures/keys.json', import.meta.url), 'utf8'));
const named = keys.find((k) => k.name === 'Ana Lima');
const revoked = keys.find((k) => k.status === 'revoked');
const unnamed = keys.find((k) => !k.name && k.agentId === 'bob');

test('a key is named by its holder, else by its role and agent', () => {
  assert.equal(keyHolder(named), 'Ana Lima');
  assert.equal(keyHolder(unnamed), 'agent bob');
  assert.equal(keyHolder({ role: 'ingest' }), '(no name) ingest');
});

test('status says whether the key works and until when', () => {
  assert.equal(keyStatus(unnamed), 'Active, no expiry');
  assert.match(keyStatus(named), /^Active until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.match(keyStatus(revoked), /^Revoked \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.equal(keyStatus({ ...named, status: 'expired' }), `Expired ${keyStatus(named).replace('Active until ', '')}`);
});

test('days become an expiry time; none, zero or junk mean no expiry', () => {
  const now = new Date('2026-11-30T00:00:00Z');
  assert.equal(expiryFromDays('30', now), '2026-12-30T00:00:00.000Z');
  for (const v of ['', '0', '-3', 'soon']) assert.equal(expiryFromDays(v, now), undefined);
});
