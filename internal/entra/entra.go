// Package entra signs the partner's app registration in to Microsoft Entra ID: one
// client id with a secret or a certificate, used by the Graph and Partner Center
// adapters alike. Only Microsoft's adapters import it (it imports azidentity).
package entra

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// App is the partner's app registration, its certificate read and parsed once.
type App struct {
	clientID string
	secret   string
	certs    []*x509.Certificate
	key      crypto.PrivateKey
}

// NewApp checks the app's credentials (exactly one of secret and certificate file)
// and reads the certificate.
func NewApp(clientID, secret, certificateFile string) (*App, error) {
	if (secret == "") == (certificateFile == "") {
		return nil, errors.New("set exactly one of graph.client_secret and graph.certificate_file")
	}
	a := &App{clientID: clientID, secret: secret}
	if certificateFile != "" {
		pemBytes, err := os.ReadFile(certificateFile)
		if err != nil {
			return nil, fmt.Errorf("graph.certificate_file: %w", err)
		}
		if a.certs, a.key, err = azidentity.ParseCertificates(pemBytes, nil); err != nil {
			return nil, fmt.Errorf("graph.certificate_file %s: %w", certificateFile, err)
		}
	}
	return a, nil
}

// Credential is the app signed in to one tenant: the token is asked with that
// tenant as authority, which is how a multi-tenant app reads a customer, or the
// partner's own tenant. authority is the Entra host; custom tells that the
// configuration overrides it (the simulated cloud), which serves no instance
// discovery; transport carries the token requests.
func (a *App) Credential(tenantID, authority string, custom bool, transport *http.Client) (azcore.TokenCredential, error) {
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: authority}, Transport: transport}
	if a.secret != "" {
		return azidentity.NewClientSecretCredential(tenantID, a.clientID, a.secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	}
	return azidentity.NewClientCertificateCredential(tenantID, a.clientID, a.certs, a.key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
}
