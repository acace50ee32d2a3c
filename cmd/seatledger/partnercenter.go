package main

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/partnercenter"
)

func newPartnerCenterCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "partner-center",
		Short: "Sign a Partner Center user in for the Partner API: price lists and the offer matrix",
		Long: "Partner Center's price sheet and offer matrix API takes no app-only token: a Partner Center user in\n" +
			"the Admin Agent or Sales Agent role signs in once with `partner-center login` (device code). The\n" +
			"refreshable sign-in is kept encrypted with partner_center.token_cache_key in\n" +
			"partner_center.token_cache_file; `prices fetch` and `catalog offers --fetch` then refresh it silently.",
	}
	login := &cobra.Command{
		Use:   "login",
		Short: "Sign a Partner Center user in with a device code and keep the sign-in, encrypted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := g.partnerAPI()
			if err != nil {
				return err
			}
			prompt := g.stdout
			if g.output == "json" {
				prompt = g.stderr
			}
			u, err := d.Login(cmd.Context(), func(message string) {
				textf(prompt, "%s\nwaiting for the sign-in...\n", message)
			})
			if err != nil {
				return err
			}
			if g.output == "json" {
				return writeJSON(g.stdout, map[string]any{"signedIn": true, "user": u, "tokenCache": d.CacheFile()})
			}
			textf(g.stdout, "signed in as %s, tenant %s; the sign-in is kept encrypted in %s\n", u, u.TenantID, d.CacheFile())
			return nil
		},
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say whether a Partner Center user is signed in, who, and whether the sign-in still works",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := g.partnerAPI()
			if err != nil {
				return err
			}
			u, err := d.Status(cmd.Context())
			if g.output == "json" {
				res := map[string]any{"signedIn": err == nil, "tokenCache": d.CacheFile()}
				if u.Username != "" {
					res["user"] = u
				}
				if err != nil {
					res["problem"] = err.Error()
				}
				if werr := writeJSON(g.stdout, res); werr != nil {
					return werr
				}
				return err
			}
			switch {
			case err == nil:
				textf(g.stdout, "signed in as %s, tenant %s, at %s (token cache %s)\n", u, u.TenantID, u.Authority, d.CacheFile())
			case u.Username != "" && errors.Is(err, partnercenter.ErrSignIn):
				textf(g.stdout, "%s was signed in, but the sign-in no longer works\n", u)
			}
			return err
		},
	}
	logout := &cobra.Command{
		Use:   "logout",
		Short: "Forget the signed-in Partner Center user: remove the token cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			path := cfg.PartnerCenterTokenCacheFile()
			// Logging out needs no key: the file goes whatever it holds.
			fc, err := partnercenter.NewFileCache(path, make([]byte, 32))
			if err != nil {
				return err
			}
			existed := fc.Exists()
			if err := fc.Remove(); err != nil {
				return err
			}
			if g.output == "json" {
				return writeJSON(g.stdout, map[string]any{"removed": existed, "tokenCache": path})
			}
			if existed {
				textf(g.stdout, "signed out: %s removed\n", path)
			} else {
				textf(g.stdout, "nobody was signed in (no %s)\n", path)
			}
			return nil
		},
	}
	cmd.AddCommand(login, status, logout)
	return cmd
}

// partnerAPI is the Partner API adapter for the commands that need no database.
func (g *globals) partnerAPI() (*partnercenter.Delegated, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	return newPartnerAPI(cfg, newLogger(cfg, g.stderr))
}

// newPartnerAPI builds the Partner API adapter, signed in as the Partner Center user
// whose sign-in the token cache keeps.
func newPartnerAPI(cfg *config.Loaded, log *slog.Logger) (*partnercenter.Delegated, error) {
	return newPartnerAPIObserved(cfg, log, nil)
}

// newPartnerAPIObserved is newPartnerAPI whose answers are counted by observe.
func newPartnerAPIObserved(cfg *config.Loaded, log *slog.Logger, observe func(status int)) (*partnercenter.Delegated, error) {
	key, err := partnercenter.ParseCacheKey(cfg.PartnerCenter.TokenCacheKey)
	if err != nil {
		return nil, err
	}
	gr, pc := cfg.Graph, cfg.PartnerCenter
	return partnercenter.NewDelegated(partnercenter.DelegatedConfig{
		PartnerTenantID: cfg.Partner.TenantID, ClientID: cmp.Or(pc.DelegatedClientID, gr.ClientID), Cloud: gr.Cloud,
		AuthorityHost: cmp.Or(pc.AuthorityHost, gr.AuthorityHost), BaseURL: pc.PartnerAPIBaseURL, CAFile: gr.CAFile,
		CacheFile: cfg.PartnerCenterTokenCacheFile(), CacheKey: key, Log: log, Observe: observe,
	})
}

// monthFlag parses --month: 2026-12, or empty for none.
func monthFlag(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--month: %q is not a month such as 2026-12", v)
	}
	return t, nil
}
