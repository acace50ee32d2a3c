package entra

import (
	"context"
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// ExchangeOnlineScope is what a token for SMTP AUTH XOAUTH2 to Exchange Online is
// asked for; a Graph token is refused there.
const ExchangeOnlineScope = "https://outlook.office365.com/.default"

// SMTPToken is a token source for mail.SMTPOptions.Token: the app's credential in
// the partner's own tenant (App.Credential) asked for Exchange Online, so that
// notices go out through smtp.office365.com without a mailbox password. The app
// needs SMTP.SendAsApp and an Exchange service principal allowed on the mailbox.
// The credential caches tokens, so asking at each connection costs no round trip.
func SMTPToken(cred azcore.TokenCredential) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if cred == nil {
			return "", errors.New("exchange online token: no credential")
		}
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{ExchangeOnlineScope}})
		if err != nil {
			return "", fmt.Errorf("exchange online token: %w", err)
		}
		return tok.Token, nil
	}
}
