package siprec

import "context"

// EndSilent ends the recording session of conversation id because its
// media stopped (media.Config.OnMediaTimeout): the conversation ends as
// EndMediaTimeout and the client gets a BYE.
func (s *Server) EndSilent(id string) {
	s.mu.Lock()
	var d *dialog
	for _, dd := range s.dialogs {
		if dd.id == id {
			d = dd
			break
		}
	}
	s.mu.Unlock()
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	d.mu.Lock()
	if d.ended || d.call == nil {
		d.mu.Unlock()
		return
	}
	bye := s.byeRequest(d)
	d.mu.Unlock()
	s.end(ctx, d, EndMediaTimeout)
	if bye == nil {
		return
	}
	if _, err := s.client.Do(ctx, bye); err != nil {
		s.log.Info("bye after media timeout", "conversation", id, "err", err)
	}
}
