// Package siprec is hush's SIPREC recording server (SRS, RFC 7866). Server
// answers SIP over UDP and TCP: an INVITE from a recording client (an SBC
// or a PBX) opens a recording session whose multipart body holds an SDP
// offer with one m=audio line per recorded stream and the RFC 7865
// recording metadata naming the participants; re-INVITE and UPDATE carry
// streams going inactive and back, and metadata updates; BYE ends it.
// What the sessions do is reported to the rest of hush through Control,
// and their audio is received by the media recorder.
//
// The package also holds the parsers: SplitBody, ParseOffer, ParseMetadata,
// the SDP answer (BuildAnswer) and the rule that picks the agent among the
// participants (AgentRule). Every parse error carries the SIP status the
// recorder answers with (see Status), and no input makes them panic.
package siprec
