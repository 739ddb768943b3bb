// The transcript as a person reads it: who spoke, when, and what. Pure: no DOM.

const SPEAKERS = { caller: 'Caller', agent: 'Agent' };

/**
 * transcriptLines returns the utterances worth showing, in time order:
 * [{who, startMs, text}]. Utterances in which the engine heard no words are
 * left out; heardWithoutWords counts them, so the view can say so.
 */
export function transcriptLines(transcript) {
  const segs = (transcript && Array.isArray(transcript.segments) && transcript.segments) || [];
  const lines = [];
  let heardWithoutWords = 0;
  for (const seg of segs) {
    if (!seg) continue;
    const text = String(seg.text || '').trim();
    if (!text) {
      heardWithoutWords++;
      continue;
    }
    lines.push({ who: SPEAKERS[seg.channel] || 'Unknown speaker', startMs: Number(seg.startMs) || 0, text });
  }
  lines.sort((a, b) => a.startMs - b.startMs);
  return { lines, heardWithoutWords };
}
