package siprec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ServerTLS makes the TLS configuration of the recorder's SIP over TLS
// listener from PEM files: its certificate chain and key and, when
// clientCAs is set, the certificate authorities whose certificates SBCs
// must present; a client with none, or with another, is refused in the
// handshake, before it can send a single request.
func ServerTLS(certFile, keyFile, clientCAs string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("siprec: SIP over TLS needs a certificate file and a key file")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("siprec: TLS certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAs != "" {
		pem, err := os.ReadFile(clientCAs)
		if err != nil {
			return nil, fmt.Errorf("siprec: TLS client CAs: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("siprec: TLS client CAs: no PEM certificate in %s", clientCAs)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// clientTLS is the configuration for the TLS connections the recorder
// opens itself, to send a BYE to a client's Contact: it presents the
// server's certificate and trusts the CAs that sign the clients' (nil
// without TLS).
func clientTLS(server *tls.Config) *tls.Config {
	if server == nil {
		return nil
	}
	return &tls.Config{Certificates: server.Certificates, RootCAs: server.ClientCAs, MinVersion: tls.VersionTLS12}
}
