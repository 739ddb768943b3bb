// Package siprec reads what a SIPREC session recording client (an SBC or a
// PBX, RFC 7866) sends in an INVITE: the multipart body, the SDP offer with
// one m=audio line per recorded stream, and the RFC 7865 recording metadata
// naming the participants. It builds the recorder's SDP answer and decides,
// by a configurable rule, which participant is the agent.
//
// Every parse error carries the SIP status the recorder should answer with
// (see Status), and no input makes these parsers panic.
package siprec
