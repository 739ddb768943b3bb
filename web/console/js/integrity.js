// Whether an ended call's recording files are the ones sealed into the
// audit when they were finished (GET /v1/conversations/{id}/recording/verify).

const KIND_WORDS = { recording: 'Recording file', transcript: 'Transcript file' };

/** integrityLine says, for one file, what the check found. */
export function integrityLine(result) {
  const what = KIND_WORDS[result.kind] || result.kind;
  switch (result.status) {
    case 'intact':
      return `${what}: unchanged since it was recorded (SHA-256 sealed in audit entry ${result.sealedSeq}).`;
    case 'modified':
      return `${what}: CHANGED after it was recorded. Its SHA-256 no longer matches audit entry ${result.sealedSeq}.`;
    case 'missing':
      return `${what}: MISSING. It was sealed in audit entry ${result.sealedSeq}, but it is no longer on disk.`;
    default:
      return `${what}: not sealed, so it cannot be checked (not recorded by hush's recorder, or not finished).`;
  }
}

/** integrityLines reads a verification answer, recording first; null (no recorder) gives none. */
export function integrityLines(answer) {
  if (!answer) return [];
  const lines = [integrityLine(answer.recording)];
  if (answer.transcript && answer.transcript.status !== 'unsealed') lines.push(integrityLine(answer.transcript));
  return lines;
}

/** loadIntegrity asks hush and returns the lines to show. */
export async function loadIntegrity(client, id) {
  const answer = await client.request('GET', `/v1/conversations/${encodeURIComponent(id)}/recording/verify`, undefined, { allow404: true });
  return integrityLines(answer);
}
