import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { integrityLines } from '../js/integrity.js';

// Written by internal/server's TestRecordingVerifyRoute from the real route.
const answers = JSON.parse(readFileSync(new URL('./fixtures/recording-verify.json', import.meta.url), 'utf8'));

test('an untouched recording is said to be unchanged, naming its audit entry', () => {
  const lines = integrityLines(answers.intact);
  assert.equal(lines.length, 2);
  assert.match(lines[0], new RegExp(`^Recording file: unchanged since it was recorded \\(SHA-256 sealed in audit entry ${answers.intact.recording.sealedSeq}\\)\\.$`));
  assert.match(lines[1], /^Transcript file: unchanged/);
});

test('an edited or deleted recording is said to be so, loudly', () => {
  assert.match(integrityLines(answers.modified)[0], /^Recording file: CHANGED after it was recorded/);
  assert.match(integrityLines(answers.missing)[0], /^Recording file: MISSING/);
});

test('a call never sealed says it cannot be checked; no recorder says nothing', () => {
  assert.deepEqual(integrityLines(answers.unsealed), [
    "Recording file: not sealed, so it cannot be checked (not recorded by hush's recorder, or not finished).",
  ]);
  assert.deepEqual(integrityLines(null), []);
});
