// Package conversation holds hush's model of a live conversation and the
// rules that decide whether its recording and transcription may run.
//
// Everything here is pure: no I/O, no clock reads, no randomness. Callers pass
// the time and any identifiers in, and get back the new state plus the effects
// (backend drives and events) that the engine must carry out.
package conversation
