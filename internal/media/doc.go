// Package media is the audio path of the built-in recorder: RTP in, from
// each stream's negotiated peer only, placed as G.711 on a per-conversation
// timeline in a commit-delay buffer, decoded as it is committed, passed
// through the recording and transcription pause gates, and written
// to a stereo WAV file (caller left, agent right) with a segment map beside
// it.
//
// The commit-delay buffer is what makes a pause retroactive: audio is only
// written once it is older than the delay, so a pause that names a time in
// the recent past still keeps everything from that time off the disk and
// away from the transcriber. The same buffer is the jitter buffer: packets
// are placed by RTP timestamp, so anything that arrives before its slot is
// committed is in time, whatever its order.
package media
